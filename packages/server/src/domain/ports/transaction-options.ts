/** How a transaction's caller is answered (every store's `transaction`). */
export interface TransactionOptions {
  /**
   * Default true: answered once the commit is on the disk (survives power loss). False: answered at
   * the commit, on the disk with the next sync — only for the delivery machinery's own bookkeeping
   * (expansions, leases, attempts), which a power loss can only make happen again (at-least-once,
   * docs/delivery.md §2.4); never for what a client is answered 2xx for.
   */
  awaitDurable?: boolean;
}
