namespace FogLens.AgeModel.Tests;

/// <summary>
/// Tests that collect garbage as fast as they can (<see cref="FogLens.Tests.Shared.GarbageCollectorPressure"/>) run
/// alone: in parallel with other tests they slowed them several-fold and once failed a TorchSharp training test
/// (a garbage scalar in AdamW's step), which is a finding of its own, not something the run-options tests check.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "garbage collector pressure";
}
