//! The scenario's accounts flattened into the model's arrays, on all cores.
//!
//! [`EngineModel`] keeps accounts as structure-of-arrays addressed by dense slots (see
//! [`crate::model`]). Flattening a million accounts one by one, pushing onto growing vectors,
//! was the largest part of the model build (issue 15). Here the accounts are cut into blocks:
//! each block's positions and collateral are counted first ([`count`]), prefix sums give every
//! block its place, every array is allocated once at its final size, and the blocks fill their
//! own disjoint parts on all cores. Validation runs inside the blocks, account by account in the
//! order the sequential loop had, and the first failing block in account order reports its first
//! error: the error a scenario gets is the one it got before.

use crate::labels::AccountLabels;
use crate::model::{AssetPricing, EngineError, EngineModel};
use liq_domain::{Account, MarginMode};
use rayon::prelude::*;

/// Accounts per block: enough to amortise a task, small enough to balance a million accounts
/// over any core count.
pub(crate) const ACCOUNTS_PER_BLOCK: usize = 16_384;

/// Positions and collateral of one block of accounts, counted before anything is written.
#[derive(Debug, Clone, Default)]
pub(crate) struct BlockCount {
    pub(crate) positions: usize,
    pub(crate) collateral: usize,
    /// Positions per market (positions naming an unknown market are not counted: the flatten
    /// refuses them).
    pub(crate) per_market: Vec<usize>,
    /// Bytes of the block's labels.
    label_bytes: usize,
}

/// The counts of every block of `accounts`, in order.
pub(crate) fn count(accounts: &[Account], n_markets: usize) -> Vec<BlockCount> {
    accounts
        .par_chunks(ACCOUNTS_PER_BLOCK)
        .map(|block| {
            let mut c = BlockCount { per_market: vec![0; n_markets], ..BlockCount::default() };
            for a in block {
                c.positions += a.positions.len();
                c.collateral += a.collateral.len();
                c.label_bytes += a.label.len();
                for p in &a.positions {
                    if let Some(n) = c.per_market.get_mut(p.market.idx()) {
                        *n += 1;
                    }
                }
            }
            c
        })
        .collect()
}

/// Total positions over all blocks.
pub(crate) fn total_positions(counts: &[BlockCount]) -> usize {
    counts.iter().map(|c| c.positions).sum()
}

/// What a flatten produces besides the arrays it fills.
#[derive(Debug, Default)]
struct BlockLists {
    collateral_capped: Vec<(u32, u16, f64)>,
    path_holders: Vec<u32>,
    auto_exchange0: Vec<u32>,
    ltv_watch: Vec<u32>,
    /// Per market: the population's net position in lots.
    net_size: Vec<i64>,
}

/// One block's disjoint parts of the model's arrays.
struct BlockOut<'a> {
    first_account: usize,
    first_position: u32,
    first_collateral: u32,
    first_label_byte: u32,
    /// The block's labels, end to end, and where each account's label starts in the whole text.
    label_text: &'a mut [u8],
    label_starts: &'a mut [u32],
    pos_start: &'a mut [u32],
    coll_start: &'a mut [u32],
    wallet0: &'a mut [i64],
    pos_account: &'a mut [u32],
    pos_market: &'a mut [u16],
    pos_isolated: &'a mut [bool],
    size0: &'a mut [i64],
    cost0: &'a mut [i64],
    iso_margin0: &'a mut [i64],
    coll_asset: &'a mut [u16],
    coll_qty0: &'a mut [f64],
    /// Per market: this block's part of the market's position slots.
    slots_by_market: Vec<&'a mut [u32]>,
}

/// Cuts `v` into consecutive parts of the given lengths.
fn parts<T>(mut v: &mut [T], lens: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    lens.map(|n| {
        let (head, tail) = std::mem::take(&mut v).split_at_mut(n);
        v = tail;
        head
    })
    .collect()
}

/// Flattens `accounts` into `m`'s labels and account and position arrays (empty on entry;
/// `counts` from [`count`]), fills `slots_by_market` (per market, the position slots in slot order) and sets
/// the lists derived account by account (transfer-in caps applied, path-asset holders, the
/// auto-exchange and LTV watch lists) and the external makers' starting size (the opposite of
/// the population's net position).
pub(crate) fn flatten(
    m: &mut EngineModel,
    accounts: &[Account],
    counts: &[BlockCount],
    slots_by_market: &mut Vec<Vec<u32>>,
) -> Result<(), EngineError> {
    let n_a = accounts.len();
    let n_m = m.n_markets();
    let n_pos = total_positions(counts);
    let n_coll: usize = counts.iter().map(|c| c.collateral).sum();
    let label_bytes: usize = counts.iter().map(|c| c.label_bytes).sum();
    if label_bytes > u32::MAX as usize {
        return Err(EngineError::invalid(
            "accounts",
            format!("the account labels total {label_bytes} bytes: at most {} are supported", u32::MAX),
        ));
    }
    let mut label_text = vec![0u8; label_bytes];
    let mut label_starts = vec![0u32; n_a + 1];
    // Zeroed allocations: the pages are touched by the blocks that write them, on all cores.
    let mut pos_start = vec![0u32; n_a + 1];
    let mut coll_start = vec![0u32; n_a + 1];
    let mut wallet0 = vec![0i64; n_a];
    let mut pos_account = vec![0u32; n_pos];
    let mut pos_market = vec![0u16; n_pos];
    let mut pos_isolated = vec![false; n_pos];
    let mut size0 = vec![0i64; n_pos];
    let mut cost0 = vec![0i64; n_pos];
    let mut iso_margin0 = vec![0i64; n_pos];
    let mut coll_asset = vec![0u16; n_coll];
    let mut coll_qty0 = vec![0.0f64; n_coll];
    *slots_by_market = (0..n_m).map(|k| vec![0u32; counts.iter().map(|c| c.per_market[k]).sum()]).collect();
    {
        let block_lens = || (0..counts.len()).map(|b| ACCOUNTS_PER_BLOCK.min(n_a - b * ACCOUNTS_PER_BLOCK));
        let pos_lens = || counts.iter().map(|c| c.positions);
        let coll_lens = || counts.iter().map(|c| c.collateral);
        let mut slot_parts: Vec<std::vec::IntoIter<&mut [u32]>> = slots_by_market
            .iter_mut()
            .enumerate()
            .map(|(k, v)| parts(v, counts.iter().map(|c| c.per_market[k])).into_iter())
            .collect();
        let mut outs: Vec<BlockOut<'_>> = Vec::with_capacity(counts.len());
        let (mut p0, mut c0, mut l0) = (0u32, 0u32, 0u32);
        let mut label_text_p = parts(&mut label_text, counts.iter().map(|c| c.label_bytes)).into_iter();
        let mut label_starts_p = parts(&mut label_starts[..n_a], block_lens()).into_iter();
        let mut pos_start_p = parts(&mut pos_start[..n_a], block_lens()).into_iter();
        let mut coll_start_p = parts(&mut coll_start[..n_a], block_lens()).into_iter();
        let mut wallet0_p = parts(&mut wallet0, block_lens()).into_iter();
        let mut pos_account_p = parts(&mut pos_account, pos_lens()).into_iter();
        let mut pos_market_p = parts(&mut pos_market, pos_lens()).into_iter();
        let mut pos_isolated_p = parts(&mut pos_isolated, pos_lens()).into_iter();
        let mut size0_p = parts(&mut size0, pos_lens()).into_iter();
        let mut cost0_p = parts(&mut cost0, pos_lens()).into_iter();
        let mut iso_margin0_p = parts(&mut iso_margin0, pos_lens()).into_iter();
        let mut coll_asset_p = parts(&mut coll_asset, coll_lens()).into_iter();
        let mut coll_qty0_p = parts(&mut coll_qty0, coll_lens()).into_iter();
        // `parts` made exactly one part per block of every array: `unwrap_or_default` never
        // takes its default.
        for (b, c) in counts.iter().enumerate() {
            outs.push(BlockOut {
                first_account: b * ACCOUNTS_PER_BLOCK,
                first_position: p0,
                first_collateral: c0,
                first_label_byte: l0,
                label_text: label_text_p.next().unwrap_or_default(),
                label_starts: label_starts_p.next().unwrap_or_default(),
                pos_start: pos_start_p.next().unwrap_or_default(),
                coll_start: coll_start_p.next().unwrap_or_default(),
                wallet0: wallet0_p.next().unwrap_or_default(),
                pos_account: pos_account_p.next().unwrap_or_default(),
                pos_market: pos_market_p.next().unwrap_or_default(),
                pos_isolated: pos_isolated_p.next().unwrap_or_default(),
                size0: size0_p.next().unwrap_or_default(),
                cost0: cost0_p.next().unwrap_or_default(),
                iso_margin0: iso_margin0_p.next().unwrap_or_default(),
                coll_asset: coll_asset_p.next().unwrap_or_default(),
                coll_qty0: coll_qty0_p.next().unwrap_or_default(),
                slots_by_market: slot_parts.iter_mut().map(|p| p.next().unwrap_or_default()).collect(),
            });
            p0 += c.positions as u32;
            c0 += c.collateral as u32;
            l0 += c.label_bytes as u32;
        }
        let model: &EngineModel = m;
        let lists: Vec<Result<BlockLists, EngineError>> = outs
            .into_par_iter()
            .map(|out| {
                let end = (out.first_account + ACCOUNTS_PER_BLOCK).min(n_a);
                flatten_block(model, &accounts[out.first_account..end], out)
            })
            .collect();
        let mut net_size = vec![0i64; n_m];
        for block in lists {
            let block = block?;
            m.collateral_capped.extend_from_slice(&block.collateral_capped);
            m.path_holders.extend_from_slice(&block.path_holders);
            m.auto_exchange0.extend_from_slice(&block.auto_exchange0);
            m.ltv_watch.extend_from_slice(&block.ltv_watch);
            net_size.iter_mut().zip(&block.net_size).for_each(|(n, b)| *n += b);
        }
        m.ext_size0.iter_mut().zip(&net_size).for_each(|(e, n)| *e -= n);
    }
    label_starts[n_a] = label_bytes as u32;
    // Whole labels copied end to end: valid UTF-8, so this check cannot fail (it costs one
    // pass over the text, and keeps the buffer a `String` without `unsafe`).
    let text = String::from_utf8(label_text)
        .map_err(|e| EngineError::invalid("accounts", format!("account labels: {e}")))?;
    m.labels = AccountLabels::from_parts(text, label_starts);
    pos_start[n_a] = n_pos as u32;
    coll_start[n_a] = n_coll as u32;
    m.pos_start = pos_start;
    m.coll_start = coll_start;
    m.wallet0 = wallet0;
    m.pos_account = pos_account;
    m.pos_market = pos_market;
    m.pos_isolated = pos_isolated;
    m.size0 = size0;
    m.cost0 = cost0;
    m.iso_margin0 = iso_margin0;
    m.coll_asset = coll_asset;
    m.coll_qty0 = coll_qty0;
    Ok(())
}

/// Validates and writes one block, account by account.
fn flatten_block(
    m: &EngineModel,
    accounts: &[Account],
    mut out: BlockOut<'_>,
) -> Result<BlockLists, EngineError> {
    let n_m = m.n_markets();
    let n_assets = m.asset_pricing.len();
    let mut lists = BlockLists { net_size: vec![0; n_m], ..BlockLists::default() };
    let mut slot_fill = vec![0usize; n_m];
    let (mut p, mut c, mut l) = (0usize, 0usize, 0usize);
    for (i, a) in accounts.iter().enumerate() {
        let ai = out.first_account + i;
        // An account is one venue's: a cross wallet margins positions of one venue only.
        if let Some(first) = a.positions.first() {
            let v = m.market_venue.get(first.market.idx()).copied().unwrap_or(0);
            if let Some(pi) =
                a.positions.iter().position(|p| m.market_venue.get(p.market.idx()).copied().unwrap_or(0) != v)
            {
                return Err(EngineError::invalid(
                    format!("accounts[{ai}].positions[{pi}].market"),
                    format!(
                        "account \"{}\" has positions on venues {} and {}: an account belongs to one venue",
                        a.label,
                        m.venues[v as usize].name,
                        m.venues[m.market_venue[a.positions[pi].market.idx()] as usize].name
                    ),
                ));
            }
        }
        out.label_starts[i] = out.first_label_byte + l as u32;
        out.label_text[l..l + a.label.len()].copy_from_slice(a.label.as_bytes());
        l += a.label.len();
        out.pos_start[i] = out.first_position + p as u32;
        out.coll_start[i] = out.first_collateral + c as u32;
        out.wallet0[i] = a.wallet.0;
        for (pi, pos) in a.positions.iter().enumerate() {
            let k = pos.market.idx();
            if k >= n_m {
                return Err(EngineError::invalid(
                    format!("accounts[{ai}].positions[{pi}].market"),
                    format!("unknown market index {}", pos.market),
                ));
            }
            if pos.size_lots == 0 {
                return Err(EngineError::invalid(
                    format!("accounts[{ai}].positions[{pi}].size"),
                    "zero size",
                ));
            }
            let isolated = pos.mode == MarginMode::Isolated;
            out.pos_account[p] = ai as u32;
            out.pos_market[p] = pos.market.0;
            out.pos_isolated[p] = isolated;
            out.size0[p] = pos.size_lots;
            out.cost0[p] = pos.cost.0;
            out.iso_margin0[p] = if isolated { pos.isolated_margin.0 } else { 0 };
            out.slots_by_market[k][slot_fill[k]] = out.first_position + p as u32;
            slot_fill[k] += 1;
            lists.net_size[k] += pos.size_lots;
            p += 1;
        }
        let first_coll = c;
        for (ci, col) in a.collateral.iter().enumerate() {
            if col.asset.idx() >= n_assets {
                return Err(EngineError::invalid(
                    format!("accounts[{ai}].collateral[{ci}].asset"),
                    format!("unknown asset index {}", col.asset),
                ));
            }
            out.coll_asset[c] = col.asset.0;
            // Beyond the venue's maximum transfer-in the holding is not in the margin wallet
            // (Binance: "Maximum Transfer-in"): it neither counts nor is sold; reported.
            let qty = match m.asset_transfer_cap[col.asset.idx()] {
                Some(cap) if col.qty > cap => {
                    lists.collateral_capped.push((ai as u32, col.asset.0, col.qty - cap));
                    cap
                }
                _ => col.qty,
            };
            out.coll_qty0[c] = qty;
            if matches!(m.asset_pricing[col.asset.idx()], AssetPricing::Path(_))
                && lists.path_holders.last() != Some(&(ai as u32))
            {
                lists.path_holders.push(ai as u32);
            }
            c += 1;
        }
        if let Some(threshold) = m.auto_exchange_threshold {
            let wallet = a.wallet.0;
            let holds = out.coll_qty0[first_coll..c].iter().any(|&q| q > 0.0);
            if wallet < threshold && holds {
                lists.auto_exchange0.push(ai as u32);
            }
            if a.positions.is_empty() && wallet < 0 && holds {
                lists.ltv_watch.push(ai as u32);
            }
        }
    }
    Ok(lists)
}
