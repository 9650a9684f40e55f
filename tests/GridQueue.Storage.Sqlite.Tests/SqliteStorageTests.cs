using GridQueue.Engine.Jobs;
using GridQueue.Engine.Storage;
using GridQueue.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Xunit;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>What is particular to the SQLite backend: file settings and migrations.</summary>
public sealed class SqliteStorageTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DeleteAsync();

    [Fact]
    public async Task Migrate_NewFile_UsesWalAndRecordsEachMigration()
    {
        var store = _database.OpenStore();
        Assert.False(await store.IsReadyAsync(CancellationToken.None));

        await store.MigrateAsync(CancellationToken.None);

        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        await using var connection = await store.Connections.OpenAsync();
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM gq_migrations WHERE version = 1 AND name = '001_create_jobs';"));
    }

    [Fact]
    public async Task Migrate_TwoStoresAtOnce_AppliesEachMigrationOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _database.OpenStore().MigrateAsync(CancellationToken.None))));

        await using var connection = await _database.OpenStore().Connections.OpenAsync();
        // Every migration the assembly ships (001 jobs, 002 tasks, 003 waiting lines, 004 images, 005 kept keys,
        // 006 callback URLs, 007 admin audit), each recorded once.
        var shipped = typeof(SqliteJobStore).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Migrations.", StringComparison.Ordinal));
        Assert.Equal(7, shipped);
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM gq_migrations WHERE version = 7;"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'gq_admin_audit';"));
        Assert.Equal((long)shipped, await ScalarAsync(connection, "SELECT COUNT(*) FROM gq_migrations;"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'gq_tasks';"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'gq_task_images';"));
    }

    [Theory]
    [InlineData("FULL", 2L)]
    [InlineData("normal", 1L)]
    public async Task Connections_UseConfiguredSynchronousAndBusyTimeout(string synchronous, long expected)
    {
        var options = _database.Options;
        options.Synchronous = synchronous;
        options.BusyTimeout = TimeSpan.FromSeconds(7);

        await using var connection = await new SqliteJobStore(options).Connections.OpenAsync();

        Assert.Equal(expected, await ScalarAsync(connection, "PRAGMA synchronous;"));
        Assert.Equal(7000L, await ScalarAsync(connection, "PRAGMA busy_timeout;"));
        Assert.Equal(64L * 1024 * 1024, await ScalarAsync(connection, "PRAGMA journal_size_limit;"));
        Assert.Equal(7, connection.DefaultTimeout);
    }

    [Fact]
    public async Task Migrate_SchemaFromANewerBuild_RefusesToStartNamingBothVersions()
    {
        await _database.OpenStore().MigrateAsync(CancellationToken.None);
        await using (var connection = await _database.OpenStore().Connections.OpenAsync())
        {
            await ScalarAsync(connection, "INSERT INTO gq_migrations (version, name, applied_at) VALUES (999, '999_from_the_future', 0); SELECT 1;");
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.OpenStore().MigrateAsync(CancellationToken.None));
        Assert.Contains("schema version 999, newer than this build knows", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpointer_CopiesTheLogIntoTheDatabaseFileInTheBackground()
    {
        var store = _database.OpenStore();
        await store.MigrateAsync(CancellationToken.None);
        var before = new FileInfo(_database.FilePath).Length;
        var now = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, 3000).Select(i => new JobInsertRow(
            "k", "default", "{\"n\":" + i + "}", 5, JobState.Available, 3, now, now, null, null)).ToList();

        await store.JobInsertManyAsync(rows, null, CancellationToken.None);

        // Automatic checkpoints are off on the store's connections, so only the background loop can grow the file.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (new FileInfo(_database.FilePath).Length < before + 100_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(new FileInfo(_database.FilePath).Length >= before + 100_000,
            $"database file is still {new FileInfo(_database.FilePath).Length} bytes (was {before})");
    }

    [Fact]
    public async Task Checkpointer_WhileWritesAndReadsNeverStop_StartsTheLogOverSoItStaysSmall()
    {
        var options = _database.Options;
        options.CheckpointInterval = Timeout.InfiniteTimeSpan; // the test runs the rounds between its writes
        var store = new SqliteJobStore(options);
        await store.MigrateAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var payload = "{\"p\":\"" + new string('x', 20_000) + "\"}";
        const int Batches = 40;
        const int PerBatch = 125; // ~2.5 MB of rows per commit, ~100 MB in all
        using var stop = new CancellationTokenSource();

        // Readers always in flight: with PASSIVE checkpoints alone the log is never started over and keeps every page
        // written. (Threads of their own: the reads complete synchronously and would hold the pool's few threads.)
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew(
            () =>
            {
                var reads = 0;
                while (!stop.IsCancellationRequested)
                {
                    store.JobListAsync(new JobListQuery(Limit: 5), CancellationToken.None).GetAwaiter().GetResult();
                    reads++;
                }

                return reads;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToList();

        // Commits never stop either: the writer begins its next transaction as soon as one commits.
        var rows = Enumerable.Range(0, PerBatch).Select(_ => new JobInsertRow(
            "k", "default", payload, 5, JobState.Scheduled, 3, now.AddDays(1), now, null, null)).ToList();
        var writer = Task.Factory.StartNew(
            () =>
            {
                for (var batch = 0; batch < Batches; batch++)
                {
                    store.JobInsertManyAsync(rows, null, CancellationToken.None).GetAwaiter().GetResult();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        long largestLog = 0;
        while (!writer.IsCompleted)
        {
            await Task.Delay(100);
            await store.Checkpointer.RunOnceAsync(CancellationToken.None);
            largestLog = Math.Max(largestLog, new FileInfo(_database.FilePath + "-wal").Length);
        }

        await writer;
        await stop.CancelAsync();
        Assert.All(await Task.WhenAll(readers), reads => Assert.True(reads > 0));
        long written;
        await using (var connection = await store.Connections.OpenAsync())
        {
            written = (long)(await ScalarAsync(connection, "PRAGMA page_count;"))! * (long)(await ScalarAsync(connection, "PRAGMA page_size;"))!;
        }

        // Once the log passes 4096 frames (16 MiB) a round starts it over, so it holds little more than that and what
        // is written between two rounds; one that was never started over would hold all ~100 MB.
        Assert.True(written > 90L * 1024 * 1024, $"the database holds only {written} bytes");
        Assert.True(largestLog < 48L * 1024 * 1024, $"the log grew to {largestLog} bytes while {written} bytes were written");
    }

    [Fact]
    public async Task Insert_InTransactionOnAnotherFile_IsRejectedAndWritesNothing()
    {
        var store = _database.OpenStore();
        await store.MigrateAsync(CancellationToken.None);
        var other = new SqliteTestDatabase();
        try
        {
            await using var connection = await other.OpenStore().Connections.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var now = DateTimeOffset.UtcNow;

            var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.JobInsertManyAsync(
                [new JobInsertRow("k", "default", "{}", 5, JobState.Available, 3, now, now, null, null)], transaction, CancellationToken.None));

            Assert.Contains("must be an open SqliteTransaction on the store's database file", ex.Message, StringComparison.Ordinal);
            Assert.Empty(await store.JobListAsync(new JobListQuery(), CancellationToken.None));
        }
        finally
        {
            await other.DeleteAsync();
        }
    }

    [Fact]
    public async Task Insert_WhileAnotherProcessHoldsTheWriteLockPastBusyTimeout_FailsWithBusyAndWritesNothing()
    {
        var options = _database.Options;
        options.BusyTimeout = TimeSpan.FromSeconds(1);
        var store = new SqliteJobStore(options);
        try
        {
            await store.MigrateAsync(CancellationToken.None);
            await using var other = await new SqliteConnectionFactory(_database.Options).OpenAsync();
            await using var holder = other.BeginTransaction(deferred: false);
            var now = DateTimeOffset.UtcNow;

            var ex = await Assert.ThrowsAsync<SqliteException>(() => store.JobInsertManyAsync(
                [new JobInsertRow("k", "default", "{}", 5, JobState.Available, 3, now, now, null, null)], null, CancellationToken.None));

            Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, ex.SqliteErrorCode);
            holder.Rollback();
            Assert.Empty(await store.JobListAsync(new JobListQuery(), CancellationToken.None));
            await store.JobInsertManyAsync(
                [new JobInsertRow("k", "default", "{}", 5, JobState.Available, 3, now, now, null, null)], null, CancellationToken.None);
            Assert.Single(await store.JobListAsync(new JobListQuery(), CancellationToken.None));
        }
        finally
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task Engine_WriteLockHeldElsewhereForAWhile_RecoversAndFinishesEveryJob()
    {
        var options = _database.Options;
        options.BusyTimeout = TimeSpan.FromSeconds(1);
        var store = new SqliteJobStore(options);
        var logs = new GridQueue.Storage.Testing.RecordingLoggerFactory();
        var done = 0;
        var handlers = new GridQueue.Engine.Execution.JobHandlerRegistry().Add("work", (_, _) =>
        {
            Interlocked.Increment(ref done);
            return Task.FromResult(GridQueue.Engine.Execution.JobOutcome.Completed);
        });
        var engine = new GridQueue.Engine.Engine.JobEngine(store, new GridQueue.Engine.Options.JobEngineOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(100),
        }, handlers, loggerFactory: logs);
        try
        {
            await engine.StartAsync(CancellationToken.None);
            // 50 jobs fall due in 300 ms; meanwhile another process takes the write lock and keeps it for 2.5 s.
            var due = DateTimeOffset.UtcNow.AddMilliseconds(300);
            await store.JobInsertManyAsync(
                [.. Enumerable.Range(0, 50).Select(_ => new JobInsertRow("work", "default", "{}", 5, JobState.Scheduled, 3, due, DateTimeOffset.UtcNow, null, null))],
                null, CancellationToken.None);
            await using (var other = await new SqliteConnectionFactory(_database.Options).OpenAsync())
            {
                await using var blocker = other.BeginTransaction(deferred: false);
                await using (var touch = other.CreateCommand())
                {
                    touch.Transaction = blocker;
                    touch.CommandText = "CREATE TABLE app_lock_holder (x INTEGER)";
                    await touch.ExecuteNonQueryAsync();
                }

                await Task.Delay(2500);
                Assert.Equal(0, Volatile.Read(ref done));
                blocker.Rollback();
            }

            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (Volatile.Read(ref done) < 50 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(50, Volatile.Read(ref done));
            Assert.Contains(logs.Entries, e => e.Exception is SqliteException { SqliteErrorCode: 5 });
        }
        finally
        {
            await engine.StopAsync(CancellationToken.None);
            store.Dispose();
        }
    }

    [Fact]
    public void Defaults_AreDurable() => Assert.Equal("FULL", new SqliteStorageOptions().Synchronous);

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=jobs;Mode=Memory")]
    [InlineData("Data Source=")]
    public void Store_WithoutAFile_IsRejectedWithAMessage(string connectionString)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SqliteJobStore(new SqliteStorageOptions { ConnectionString = connectionString }));

        Assert.Contains("must name a database file", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
