#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pm::fuzzing::object_reader(data));
