namespace FogLens.Tests.Shared;

/// <summary>
/// Collects garbage and runs finalisers on another thread, as fast as it can, until disposed: code that hands native
/// libraries a handle whose managed owner is unreachable fails under it (the owner is finalised mid-call).
/// </summary>
internal sealed class GarbageCollectorPressure : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _collector;

    public GarbageCollectorPressure(CancellationToken cancellationToken) =>
        _collector = Task.Run(
            () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
            },
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _collector;
        _stop.Dispose();
    }
}
