using FogLens.Contracts.Messages;

namespace FogLens.EdgeAgent.Capture;

/// <summary>
/// The camera source's state as the pipeline last saw it (thread-safe): set by the camera loop, read by the status
/// publisher, which is woken by <see cref="NextChangeAsync"/> so a failing source is reported at once, not at the
/// next status tick. Null until the first attempt to open the source.
/// </summary>
public sealed class SourceHealth
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SourceState? State { get; private set; }

    /// <summary>One line saying why the source is not Ok (null when it is).</summary>
    public string? Problem { get; private set; }

    public void Set(SourceState state, string? problem = null)
    {
        if (problem is { Length: > EdgeStatus.MaxProblemLength })
        {
            problem = problem[..(EdgeStatus.MaxProblemLength - 3)] + "...";
        }

        problem = problem?.ReplaceLineEndings(" ");
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (State == state && Problem == problem)
            {
                return;
            }

            (State, Problem) = (state, problem);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Completes at the next change of state or problem.</summary>
    public Task NextChangeAsync()
    {
        lock (_lock)
        {
            return _changed.Task;
        }
    }
}
