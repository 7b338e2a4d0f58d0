using Microsoft.Data.Sqlite;
using Vapora.WorkflowApi.Persistence.Sqlite;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Group commit on a real SQLite file. The first writer's group is taken (its connection asked for) before any other
/// writer queues, and its connection is held until every writer of the test has queued, so what lands in which group is
/// decided by the test, not by the machine's speed: the first group is the first writer alone, every later statement
/// lands in the second.
/// </summary>
public sealed class SqliteGroupCommitTests : IDisposable
{
    private const string Insert = "INSERT INTO t (id, v) VALUES ($id, $v) ON CONFLICT (id) DO NOTHING";

    private readonly string _directory = Directory.CreateTempSubdirectory("vapora-group-").FullName;
    private readonly TaskCompletionSource _firstGroupTaken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _opens;

    public SqliteGroupCommitTests()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
        create.ExecuteNonQuery();
    }

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "group.db")};Pooling=False";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writers_waiting_together_commit_in_one_transaction_and_each_gets_its_own_rows_changed()
    {
        var group = Group();

        // 210 writers; ids 0-9 are written twice, so each of those has one winner.
        var first = group.ExecuteAsync(Insert, [("$id", 0), ("$v", "w0")], Ct);
        await _firstGroupTaken.Task;
        var writes = Enumerable.Range(1, 209).Select(i => group.ExecuteAsync(Insert, [("$id", i % 200), ("$v", $"w{i}")], Ct)).ToList();
        _allQueued.SetResult();
        writes.Insert(0, first);
        var changed = await Task.WhenAll(writes);

        Assert.Equal(2, _opens); // the first writer alone, then the 209 that queued meanwhile in one transaction
        for (var id = 0; id < 200; id++)
        {
            var answers = id < 10 ? [changed[id], changed[id + 200]] : new[] { changed[id] };
            Assert.Equal(1, answers.Sum());
        }

        Assert.Equal(200, Count());
        Assert.Equal("w0", Value(0)); // the first to be queued won
    }

    [Fact]
    public async Task A_statement_that_fails_on_its_own_account_fails_only_its_writer_and_the_others_are_committed()
    {
        var group = Group();

        var first = group.ExecuteAsync(Insert, [("$id", 1), ("$v", "first")], Ct);
        await _firstGroupTaken.Task;
        var good = group.ExecuteAsync(Insert, [("$id", 2), ("$v", "good")], Ct);
        var bad = group.ExecuteAsync(Insert, [("$id", 3), ("$v", null)], Ct); // NOT NULL: a defect of this statement alone
        var alsoGood = group.ExecuteAsync(Insert, [("$id", 4), ("$v", "also good")], Ct);
        _allQueued.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal(1, await good);
        var failure = await Assert.ThrowsAsync<SqliteException>(() => bad);
        Assert.Equal(19, failure.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(1, await alsoGood);
        Assert.Equal(3, Count());
        Assert.Null(Value(3));
    }

    [Fact]
    public async Task An_outage_fails_the_whole_group_at_once_without_trying_each_statement_again()
    {
        var outage = new TimeoutException("the disk stopped answering");
        var group = new SqliteGroupCommit(
            async ct =>
            {
                // The first writer's statement goes through; then the store is unreachable once, then back.
                var opens = Interlocked.Increment(ref _opens);
                if (opens == 2)
                {
                    throw outage;
                }

                if (opens == 1)
                {
                    _firstGroupTaken.SetResult();
                    await _allQueued.Task;
                }

                return await OpenAsync(ct);
            },
            ex => ex is TimeoutException);

        var first = group.ExecuteAsync(Insert, [("$id", 1), ("$v", "first")], Ct);
        await _firstGroupTaken.Task;
        var later = Enumerable.Range(2, 5).Select(i => group.ExecuteAsync(Insert, [("$id", i), ("$v", "later")], Ct)).ToArray();
        _allQueued.SetResult();

        Assert.Equal(1, await first);
        foreach (var write in later)
        {
            Assert.Same(outage, await Assert.ThrowsAsync<TimeoutException>(() => write));
        }

        Assert.Equal(2, _opens); // one for the group that failed, none per statement
        Assert.Equal(1, Count());

        // The failed group gave its turn back: the next writer is served once the store is back.
        Assert.Equal(1, await group.ExecuteAsync(Insert, [("$id", 7), ("$v", "after")], Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(2, Count());
    }

    [Fact]
    public async Task A_group_whose_connection_fails_to_close_after_the_commit_keeps_each_writers_answer()
    {
        var group = new SqliteGroupCommit(
            async ct =>
            {
                var opens = Interlocked.Increment(ref _opens);
                if (opens == 1)
                {
                    _firstGroupTaken.SetResult();
                    await _allQueued.Task;
                }

                var connection = opens == 2 ? new FailsToCloseConnection(ConnectionString) : new SqliteConnection(ConnectionString);
                await connection.OpenAsync(ct);
                return connection;
            },
            ex => ex is SqliteException { SqliteErrorCode: 5 });

        var first = group.ExecuteAsync(Insert, [("$id", 1), ("$v", "first")], Ct);
        await _firstGroupTaken.Task;
        var later = Enumerable.Range(2, 5).Select(i => group.ExecuteAsync(Insert, [("$id", i), ("$v", "later")], Ct)).ToArray();
        _allQueued.SetResult();

        Assert.Equal(1, await first);
        var answers = await Task.WhenAll(later);
        Assert.Equal(new[] { 1, 1, 1, 1, 1 }, answers); // run again alone, each would answer 0: already there
        Assert.Equal(2, _opens);
        Assert.Equal(6, Count());
    }

    [Fact]
    public async Task A_writer_that_gives_up_before_its_group_begins_writes_nothing()
    {
        var group = Group();
        using var givingUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var first = group.ExecuteAsync(Insert, [("$id", 1), ("$v", "first")], Ct);
        await _firstGroupTaken.Task;
        var abandoned = group.ExecuteAsync(Insert, [("$id", 2), ("$v", "abandoned")], givingUp.Token);
        await givingUp.CancelAsync();
        // Answered at once: the first group still holds its connection, and giving up does not wait for it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        var after = group.ExecuteAsync(Insert, [("$id", 3), ("$v", "after")], Ct);
        _allQueued.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal(1, await after);
        Assert.Null(Value(2));
        Assert.Equal(2, Count());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    // Every connection is counted; the first one waits until the test has queued all its writers.
    private SqliteGroupCommit Group() => new(
        async ct =>
        {
            if (Interlocked.Increment(ref _opens) == 1)
            {
                _firstGroupTaken.SetResult();
                await _allQueued.Task;
            }

            return await OpenAsync(ct);
        },
        ex => ex is SqliteException { SqliteErrorCode: 5 });

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private long Count() => (long)Scalar("SELECT count(*) FROM t", null)!;

    private string? Value(int id) => Scalar("SELECT v FROM t WHERE id = $id", id) as string;

    private object? Scalar(string sql, int? id)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (id is { } value)
        {
            command.Parameters.AddWithValue("$id", value);
        }

        return command.ExecuteScalar();
    }

    /// <summary>A connection that works, then throws as it is closed (after its transaction committed).</summary>
    private sealed class FailsToCloseConnection(string connectionString) : SqliteConnection(connectionString)
    {
        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            throw new InvalidOperationException("the close failed");
        }
    }
}
