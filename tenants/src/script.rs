use sqlx::PgConnection;

/// Runs SQL that may hold several statements (simple query protocol, no parameters).
///
/// Goes through `Executor::execute` rather than `RawSql::execute`: the latter's future is not
/// provably `Send` when given `&mut PgConnection` (a higher-ranked lifetime limitation), which
/// would keep any handler calling it off a multi-threaded runtime.
pub async fn run_script(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::Executor::execute(conn, sqlx::raw_sql(sql)).await.map(|_| ())
}
