// Peer for the tests: runs one SQL query in DuckDB and prints its rows,
// tab-separated, values as JSON (strings quoted, so a TAB or a newline in
// one shows as \t or \n, and a number as a number).
// usage: node duckdb-query.mjs SQL
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await db.connect();
const rows = (await c.runAndReadAll(process.argv[2])).getRows();
for (const r of rows)
	console.log(r.map((v) => JSON.stringify(typeof v === 'bigint' ?
	    Number(v) : v)).join('\t'));
