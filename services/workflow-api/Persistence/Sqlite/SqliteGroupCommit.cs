using Microsoft.Data.Sqlite;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>
/// Group commit for the hot single-statement writes (appends, summary moves): this process's writers take turns, and
/// the one whose turn it is commits every statement then waiting in one transaction, so one fsync (synchronous=FULL)
/// covers the group instead of one per statement. Taking turns here also keeps this process's writers out of SQLite's
/// busy handler, which sleeps on a thread-pool thread (up to 100 ms a try) while another holds the write lock: under
/// load that starves the API's thread pool. Writers in other processes still meet at the file's lock, as before.
/// </summary>
/// <remarks>
/// Each statement's answer (its rows changed) is its own, as if run alone. When a statement of a group fails with a
/// defect, nothing of the group was committed and each statement is run alone, so only its own caller sees the
/// failure; an outage (busy, I/O, disk full) fails the whole group at once, since alone each would meet it too.
/// </remarks>
internal sealed class SqliteGroupCommit(Func<CancellationToken, Task<SqliteConnection>> open, Func<Exception, bool> isOutage)
{
    // Bounds how long one turn holds the write lock (and the file's other writers off).
    private const int MaxGroup = 256;

    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Queue<Statement> _waiting = new();

    /// <summary>Runs one write statement, grouped with whatever else waits; returns the rows it changed.</summary>
    /// <remarks>Cancelled before its group began, it is not run; once its group began, it is committed with the group.</remarks>
    public async Task<int> ExecuteAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        var statement = new Statement(sql, parameters, cancellationToken);
        lock (_waiting)
        {
            _waiting.Enqueue(statement);
        }

        var turn = _turn.WaitAsync(cancellationToken);
        if (await Task.WhenAny(turn, statement.Done.Task) == statement.Done.Task)
        {
            // Another writer's turn committed it: the turn this one waits for is passed on as soon as it comes.
            _ = turn.ContinueWith(static (waited, state) =>
            {
                if (waited.IsCompletedSuccessfully)
                {
                    ((SemaphoreSlim)state!).Release();
                }
            }, _turn, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return await statement.Done.Task;
        }

        await turn; // throws when cancelled while waiting: the statement stays queued and is dropped, not run
        try
        {
            if (!statement.Done.Task.IsCompleted)
            {
                // Writers already on their way join this turn's group.
                await Task.Yield();
                await CommitGroupAsync();
            }
        }
        finally
        {
            _turn.Release();
        }

        return await statement.Done.Task;
    }

    private async Task CommitGroupAsync()
    {
        var group = new List<Statement>();
        lock (_waiting)
        {
            while (group.Count < MaxGroup && _waiting.TryDequeue(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Done.TrySetCanceled(next.CancellationToken);
                }
                else
                {
                    group.Add(next);
                }
            }
        }

        if (group.Count == 1)
        {
            await RunAloneAsync(group[0]);
            return;
        }

        if (group.Count == 0)
        {
            return;
        }

        var changed = new int[group.Count];
        var committed = false;
        try
        {
            await using var connection = await open(CancellationToken.None);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(); // BEGIN IMMEDIATE
            for (var i = 0; i < group.Count; i++)
            {
                changed[i] = await group[i].RunAsync(connection, transaction);
            }

            await transaction.CommitAsync();
            committed = true;
        }
        catch (Exception) when (committed)
        {
            // Closing failed after the commit: the group is stored, and running a statement again would answer
            // "nothing changed" for a write that did change something.
        }
        catch (Exception ex) when (isOutage(ex))
        {
            foreach (var statement in group)
            {
                statement.Done.TrySetException(ex);
            }

            return;
        }
        catch (Exception)
        {
            // A statement failed on its own account (nothing of the group was committed): each alone gets its own answer.
            foreach (var statement in group)
            {
                await RunAloneAsync(statement);
            }

            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            group[i].Done.TrySetResult(changed[i]);
        }
    }

    private async Task RunAloneAsync(Statement statement)
    {
        try
        {
            await using var connection = await open(CancellationToken.None);
            statement.Done.TrySetResult(await statement.RunAsync(connection, transaction: null));
        }
        catch (Exception ex)
        {
            statement.Done.TrySetException(ex);
        }
    }

    private sealed class Statement(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        // Completed by the writer whose turn ran it; the caller's continuation must not run on that writer's turn.
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken CancellationToken => cancellationToken;

        public async Task<int> RunAsync(SqliteConnection connection, SqliteTransaction? transaction)
        {
            await using var command = SqliteStorage.Command(connection, sql, parameters);
            command.Transaction = transaction;
            return await command.ExecuteNonQueryAsync();
        }
    }
}
