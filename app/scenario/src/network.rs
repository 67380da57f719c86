//! Where a scenario runs: the in-process runtime ([`Local`], the default: the clock is
//! moved forward) or a real cluster over JSON-RPC ([`Remote`], `--url`: the runner waits
//! for the cluster's own clock). The runner sends and reads only through the SDK's
//! [`Cluster`] trait, so both run the same code.
use std::time::Duration;

use deepnode_runtime::cluster::InProcess;
use deepnode_runtime::Runtime;
use deepnode_sdk::cluster::{Cluster, ClusterError};
use deepnode_sdk::rpc::{RpcCluster, RpcOptions};
use solana_sdk::signature::Keypair;

/// What the runner needs of a network besides its [`Cluster`] clients.
#[allow(async_fn_in_trait)]
pub trait Network {
    /// A client of this network.
    type Client: Cluster;
    /// The client paying fees with the network's payer.
    fn client(&mut self) -> &mut Self::Client;
    /// A client paying fees with `payer` (the keeper's own, so that its tips are its).
    fn client_for(&self, payer: &Keypair) -> Self::Client;
    /// The key allowed to initialise the program (its upgrade authority).
    fn upgrade_authority(&self) -> Keypair;
    /// Lamports each actor is given for fees and the rent of what it opens.
    fn actor_lamports(&self) -> u64;
    /// Returns once the network's clock reads at least `ts` (unix seconds).
    async fn wait_until(&mut self, ts: i64) -> Result<(), ClusterError>;
}

/// A network lent to a run, so that the caller can look at it afterwards.
impl<N: Network> Network for &mut N {
    type Client = N::Client;

    fn client(&mut self) -> &mut N::Client {
        (**self).client()
    }

    fn client_for(&self, payer: &Keypair) -> N::Client {
        (**self).client_for(payer)
    }

    fn upgrade_authority(&self) -> Keypair {
        (**self).upgrade_authority()
    }

    fn actor_lamports(&self) -> u64 {
        (**self).actor_lamports()
    }

    async fn wait_until(&mut self, ts: i64) -> Result<(), ClusterError> {
        (**self).wait_until(ts).await
    }
}

/// The in-process runtime with the program loaded, its clock moved on demand.
pub struct Local {
    runtime: Runtime,
    client: InProcess,
}

impl Local {
    /// Starts a fresh runtime.
    pub async fn start() -> Self {
        Runtime::start().await.into()
    }

    /// The runtime, for a look at it after a run.
    pub fn runtime(&mut self) -> &mut Runtime {
        &mut self.runtime
    }
}

impl From<Runtime> for Local {
    /// A runtime already started (and possibly used before).
    fn from(runtime: Runtime) -> Self {
        let client = runtime.cluster(&runtime.payer());
        Self { runtime, client }
    }
}

impl Network for Local {
    type Client = InProcess;

    fn client(&mut self) -> &mut InProcess {
        &mut self.client
    }

    fn client_for(&self, payer: &Keypair) -> InProcess {
        self.runtime.cluster(payer)
    }

    fn upgrade_authority(&self) -> Keypair {
        self.runtime.upgrade.insecure_clone()
    }

    fn actor_lamports(&self) -> u64 {
        10_000_000_000
    }

    async fn wait_until(&mut self, ts: i64) -> Result<(), ClusterError> {
        let now = self.client.now().await?;
        if now < ts {
            self.runtime.advance(ts - now).await;
        }
        Ok(())
    }
}

/// A real cluster reached over JSON-RPC (a local test validator or devnet), paid for by
/// a keypair that is also the program's upgrade authority.
pub struct Remote {
    url: String,
    payer: Keypair,
    options: RpcOptions,
    client: RpcCluster,
    /// How often the clock is read while waiting.
    poll: Duration,
}

impl Remote {
    /// A client of the node at `url` paying with `payer`.
    pub fn new(url: String, payer: Keypair, options: RpcOptions) -> Self {
        let client = RpcCluster::new(url.clone(), payer.insecure_clone(), options.clone());
        Self {
            url,
            payer,
            options,
            client,
            poll: Duration::from_secs(2),
        }
    }
}

impl Network for Remote {
    type Client = RpcCluster;

    fn client(&mut self) -> &mut RpcCluster {
        &mut self.client
    }

    fn client_for(&self, payer: &Keypair) -> RpcCluster {
        RpcCluster::new(
            self.url.clone(),
            payer.insecure_clone(),
            self.options.clone(),
        )
    }

    fn upgrade_authority(&self) -> Keypair {
        self.payer.insecure_clone()
    }

    fn actor_lamports(&self) -> u64 {
        // Fees and the rent of a few hundred records or positions: a real cluster's SOL
        // is not free, unlike the in-process runtime's.
        1_000_000_000
    }

    async fn wait_until(&mut self, ts: i64) -> Result<(), ClusterError> {
        loop {
            let now = self.client.now().await?;
            if now >= ts {
                return Ok(());
            }
            let left = Duration::from_secs(u64::try_from(ts - now).unwrap_or(1));
            tokio::time::sleep(left.min(self.poll)).await;
        }
    }
}
