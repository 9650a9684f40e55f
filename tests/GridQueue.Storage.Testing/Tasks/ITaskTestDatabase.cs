using GridQueue.Tasks.Storage;

namespace GridQueue.Storage.Testing.Tasks;

/// <summary>What each backend supplies to <see cref="TaskStoreContractTests"/>: a fresh migrated database per test.</summary>
public interface ITaskTestDatabase
{
    /// <summary>Makes the database and returns a task store on it. Called once per test.</summary>
    Task<ITaskStore> CreateTaskStoreAsync();

    /// <summary>Another task store instance on the same database, with its own connections: a second node.</summary>
    ITaskStore OpenSecondTaskStore();

    /// <summary>Releases the stores and removes the database.</summary>
    Task DeleteAsync();
}
