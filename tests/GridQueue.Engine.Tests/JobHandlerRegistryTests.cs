using GridQueue.Engine.Execution;
using Xunit;

namespace GridQueue.Engine.Tests;

public sealed class JobHandlerRegistryTests
{
    [Fact]
    public void Add_SameKindTwice_Throws()
    {
        var registry = new JobHandlerRegistry().Add("video.submit", (_, _) => Task.FromResult(JobOutcome.Completed));

        var ex = Assert.Throws<InvalidOperationException>(() => registry.Add("video.submit", (_, _) => Task.FromResult(JobOutcome.Completed)));

        Assert.Contains("video.submit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_BlankKind_Throws() =>
        Assert.Throws<ArgumentException>(() => new JobHandlerRegistry().Add(" ", (_, _) => Task.FromResult(JobOutcome.Completed)));

    [Fact]
    public void Kinds_ListsRegisteredKinds()
    {
        var registry = new JobHandlerRegistry()
            .Add("a", (_, _) => Task.FromResult(JobOutcome.Completed))
            .Add("b", (_, _) => Task.FromResult(JobOutcome.Completed));

        Assert.Equal(["a", "b"], registry.Kinds.Order());
    }
}
