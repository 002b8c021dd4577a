use tandem::split::{by_percentage, equal};

#[test]
fn s_7_ac_3_an_equal_split_gives_the_extra_penny_to_the_payer() {
    assert_eq!(equal(1000, 3), vec![334, 333, 333]);
}

#[test]
fn s_8_ac_2_percentages_that_do_not_add_up_say_what_is_left() {
    assert_eq!(by_percentage(1000, &[60, 35]), Err("5% left to assign".to_string()));
}

#[test]
fn s_8_ac_3_a_60_40_split_of_47_99_adds_up_to_the_total() {
    assert_eq!(by_percentage(4799, &[60, 40]), Ok(vec![2879, 1920]));
}
