using GridQueue.Storage.Testing;

namespace GridQueue.Storage.Sqlite.Tests;

/// <summary>The shared storage contract on a real SQLite file.</summary>
public sealed class SqliteJobStoreTests() : JobStoreContractTests(new SqliteTestDatabase());

/// <summary>The shared engine contract on a real SQLite file.</summary>
public sealed class SqliteEngineTests() : EngineContractTests(new SqliteTestDatabase());

/// <summary>Claiming ahead on a real SQLite file.</summary>
public sealed class SqliteClaimAheadTests() : ClaimAheadContractTests(new SqliteTestDatabase());
