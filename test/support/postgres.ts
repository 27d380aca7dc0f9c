/**
 * A throw-away PostgreSQL cluster per test file (scripts/postgres-cluster.ts starts and stops it):
 * `usePostgres()` starts one before the enclosing describe's tests and stops it after (`-m fast`), also when a
 * test failed.
 */
import { type PgCluster, startPostgres } from '../../scripts/postgres-cluster.ts';

export { type PgCluster, postgresBin, startPostgres } from '../../scripts/postgres-cluster.ts';

/** A cluster for this test file (mocha root hooks of the enclosing describe): started before, stopped after. */
export function usePostgres(): { cluster(): PgCluster } {
  let cluster: PgCluster | undefined;
  before(async function () {
    this.timeout(120_000);
    cluster = await startPostgres();
  });
  after(function () {
    this.timeout(60_000);
    cluster?.stop();
    cluster = undefined;
  });
  return {
    cluster() {
      if (!cluster) throw new Error('the PostgreSQL cluster has not started');
      return cluster;
    },
  };
}
