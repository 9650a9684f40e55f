using GridQueue.Storage.Testing;

namespace GridQueue.Storage.Postgres.Tests;

/// <summary>The shared storage contract on a real PostgreSQL database.</summary>
public sealed class PostgresJobStoreTests() : JobStoreContractTests(new PostgresTestDatabase());

/// <summary>The shared engine contract on a real PostgreSQL database.</summary>
public sealed class PostgresEngineTests() : EngineContractTests(new PostgresTestDatabase());

/// <summary>Claiming ahead on a real PostgreSQL database.</summary>
public sealed class PostgresClaimAheadTests() : ClaimAheadContractTests(new PostgresTestDatabase());
