//! Running one API's requests: each API plans its jobs, checks them against the budget, runs
//! them within the client's bounds and hands back what it read as a [`Gathered`], which the
//! run finishes the same way whatever the API.

use std::future::Future;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::fetch::client::Client;
use crate::fetch::error::FetchError;
use crate::fetch::progress::Progress;
use crate::model::DatasetBuilder;

/// What one API's requests read: the rows, not yet checked against each other, and the
/// warnings met on the way.
pub(crate) struct Gathered {
    /// Every response's rows.
    pub builder: DatasetBuilder,
    /// Warnings for the dataset, after the builder's own.
    pub warnings: Vec<String>,
}

/// Runs one task per item, all at once as far as the client's bound allows, and returns the
/// results in item order (so the dataset's sources are in a stable order, whatever order the
/// responses came in). The first failure cancels the rest.
pub(crate) async fn run_all<T, R, F, Fut>(
    items: Vec<T>,
    progress: &Arc<dyn Progress>,
    label: impl Fn(&T) -> String,
    task: F,
) -> Result<Vec<R>, FetchError>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, FetchError>> + Send + 'static,
    R: Send + 'static,
{
    let mut set = JoinSet::new();
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        let name = label(&item);
        let fut = task(item);
        let progress = progress.clone();
        set.spawn(async move {
            let result = fut.await;
            if result.is_ok() {
                progress.advance(&name);
            }
            (i, result)
        });
    }
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, result) = match joined {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(FetchError::Options(format!("a fetch task stopped: {e}"))),
        };
        match result {
            Ok(r) => results[i] = Some(r),
            Err(e) => {
                set.abort_all();
                return Err(e);
            }
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every task reported"))
        .collect())
}

/// Refuses a plan of `planned` more requests that would overrun the client's budget, before
/// any of them is sent.
pub(crate) fn check_budget(client: &Client, planned: u64) -> Result<(), FetchError> {
    if let Some(budget) = client.config().request_budget {
        let used = client.stats().requests;
        if used + planned > budget {
            return Err(FetchError::Options(format!(
                "this fetch needs at least {planned} more requests, over the budget of {budget} \
                 ({used} used); ask for fewer years or areas, or raise the budget if the server \
                 can take it"
            )));
        }
    }
    Ok(())
}

/// A runtime for a caller that is not async; two workers are plenty for requests that
/// spend their time waiting on the network.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, FetchError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| FetchError::Options(format!("cannot start the async runtime: {e}")))
}
