// Peer for scripts/bench-audit: DuckDB (2 threads) reads TSV files in
// order, every field of every row as text, and prints what the project's
// rec-read prints: "N rows, B bytes of fields". Then the milliseconds of
// the reading alone, without node's and DuckDB's start, on stderr.
// usage: node duckdb-read.mjs FILE ...
import { DuckDBInstance } from '@duckdb/node-api';

const files = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await db.connect();
let rows = 0n, bytes = 0n;
const t0 = process.hrtime.bigint();
for (const f of files) {
	const q = `select count(*)::bigint, coalesce(sum(strlen(columns(*))), 0)::bigint
	    from read_csv('${f.replaceAll("'", "''")}', header = true,
	    all_varchar = true, delim = '\t', quote = '', escape = '')`;
	const r = (await c.runAndReadAll(q)).getRows()[0];
	rows += BigInt(r[0]);
	for (const b of r.slice(1))
		bytes += BigInt(b);
}
const t1 = process.hrtime.bigint();
console.log(`${rows} rows, ${bytes} bytes of fields`);
console.error(`${Number(t1 - t0) / 1e6}`);
