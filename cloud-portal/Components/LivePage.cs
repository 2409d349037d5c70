using FogLens.CloudPortal.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Components;

/// <summary>
/// A page that reloads its data when the portal reports a change it shows (debounced), and every few
/// seconds so online states age out, without a page reload.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private PeriodicTimer? _timer;
    private int _pending;

    [Inject]
    protected PortalEvents Events { get; set; } = default!;

    [CascadingParameter]
    protected Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>Changes this page shows.</summary>
    protected abstract IReadOnlySet<PortalChange> Watches { get; }

    protected bool IsAdmin { get; private set; }

    protected CancellationToken Stopping => _stop.Token;

    protected abstract Task LoadAsync();

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is { } auth)
        {
            IsAdmin = (await auth).User.IsInRole(PortalRoles.Admin);
        }

        await LoadAsync();
        Events.Changed += OnChanged;
        _timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        _ = TickAsync();
    }

    private async Task TickAsync()
    {
        try
        {
            while (await _timer!.WaitForNextTickAsync(_stop.Token))
            {
                await RefreshAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // page closed
        }
    }

    private void OnChanged(PortalChange change)
    {
        if (!Watches.Contains(change) || Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(300, _stop.Token).ContinueWith(
            async _ =>
            {
                Interlocked.Exchange(ref _pending, 0);
                await RefreshAsync();
            },
            _stop.Token,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    private async Task RefreshAsync()
    {
        try
        {
            await InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // circuit gone
        }
    }

    public void Dispose()
    {
        Events.Changed -= OnChanged;
        _stop.Cancel();
        _timer?.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
