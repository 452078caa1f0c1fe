// Peer for scripts/bench-pipeline: the whole pipeline in DuckDB SQL (2
// threads), the job of
//   xsell-import --kind orders ORDERS | xsell-learn --min-count MINC
//       --min-confidence MINCONF --min-lift 0 --top 10 > learned.tsv
//   xsell-qualify --relations learned.tsv --catalog CATALOG --in-stock
//       CONTEXTS | xsell-score --catalog CATALOG | xsell-rank --top 5
// from the same files: pair rules from the order lines (count, confidence,
// lift as arules computes it), each subject's 10 best by confidence, then
// lift, then id; each context's candidates linked from its subject, in the
// catalog, active and in stock; scored as xsell-score scores them without
// weights given (0.4 confidence + 0.2 lift/(1 + lift) + 0.3 margin over
// the context's largest margin); the 5 best by score, then id. Writes
// context_id, candidate_id, score, rank (TSV, no header) to OUT.
// usage: node duckdb-pipeline.mjs ORDERS.csv CATALOG.tsv CONTEXTS.tsv
//            MINC MINCONF OUT.tsv
import { DuckDBInstance } from '@duckdb/node-api';

const [orders, catalog, contexts, minc, minconf, out] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await db.connect();
const tsv = `header = true, all_varchar = true, delim = '\t', quote = '', escape = ''`;
await c.run(`create table li as select distinct order_id::varchar o,
    product_id::varchar p from read_csv('${orders}', header = true,
    all_varchar = true)`);
await c.run(`create table ic as select p, count(*)::double n from li group by p`);
const N = (await c.runAndReadAll(`select count(distinct o) from li`)).getRows()[0][0];
await c.run(`create table pc as select a.p x, b.p y, count(*)::double n
    from li a join li b on a.o = b.o and a.p < b.p
    group by all having count(*) >= ${minc}`);
await c.run(`create table rules as
    select s, t, conf, lift from (
      select s, t, conf, conf * ${N} / nt lift from (
        select pc.x s, pc.y t, pc.n / i1.n conf, i2.n nt
          from pc join ic i1 on i1.p = pc.x join ic i2 on i2.p = pc.y
        union all
        select pc.y, pc.x, pc.n / i2.n, i1.n
          from pc join ic i1 on i1.p = pc.x join ic i2 on i2.p = pc.y)
      where conf >= ${minconf} - 1e-12)
    qualify row_number() over (partition by s
      order by conf desc, lift desc, t) <= 10`);
await c.run(`create table cat as select product_id p, price::double pr,
    "cost"::double co, stock st, status ss from read_csv('${catalog}', ${tsv})`);
await c.run(`create table ctx as select context_id, subject_id
    from read_csv('${contexts}', ${tsv})`);
await c.run(`copy (
    select context_id, t, score,
      row_number() over (partition by context_id order by score desc, t) r
    from (
      select context_id, t,
        0.4 * least(1, greatest(0, conf)) +
        0.2 * (case when lift > 0 then lift / (1 + lift) else 0 end) +
        0.3 * (case when m > 0 then m / max(case when m > 0 then m end)
          over (partition by context_id) else 0 end) score
      from (
        select ctx.context_id, rules.t, rules.conf, rules.lift,
          cat.pr - cat.co m
        from ctx join rules on rules.s = ctx.subject_id
          join cat on cat.p = rules.t
        where (cat.ss is null or cat.ss = 'active')
          and (cat.st is null or cat.st::double > 0)))
    qualify r <= 5
    order by context_id, r
  ) to '${out}' (format csv, delimiter '\t', header false)`);
