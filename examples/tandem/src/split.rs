//! Splitting an expense between the members of a household, in pence.

/// Equal shares of `total` among `members`; the pennies that do not divide go to the payer
/// (the first member), so the shares always add up to the total (S-7/AC-3).
pub fn equal(total: i64, members: usize) -> Vec<i64> {
    let n = members as i64;
    let mut shares = vec![total / n; members];
    shares[0] += total % n;
    shares
}

/// Shares by percentage (whole percent per member, adding up to 100). Each share is rounded
/// down and the pennies left over go to the largest shares first, so the shares add up
/// exactly to the total (S-8/AC-3).
pub fn by_percentage(total: i64, percents: &[u32]) -> Result<Vec<i64>, String> {
    let sum: u32 = percents.iter().sum();
    if sum != 100 {
        // The form disables Save and shows what is left to assign (S-8/AC-2).
        return Err(format!("{}% left to assign", 100 - sum as i64));
    }
    let mut shares: Vec<i64> = percents.iter().map(|p| total * *p as i64 / 100).collect();
    let mut left = total - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..percents.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(percents[*i]));
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    Ok(shares)
}
