using System.Data.Common;
using System.Diagnostics;

namespace FogLens.Cli.Load;

/// <summary>
/// Sees windows appear in the portal's database: every <see cref="Interval"/> it reads the rows added since the last
/// poll and notes when each message id was first seen committed. Ids from concurrent transactions may commit out of
/// order, so each poll reads again the last <see cref="Lookback"/> ids. A row's latency is taken at the poll that saw
/// it, so it includes up to one interval of polling delay.
/// </summary>
internal sealed class CommitWatcher(Func<DbConnection> connect)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private const int Lookback = 4000;

    private readonly Dictionary<Guid, long> _seen = [];

    /// <summary>Stopwatch timestamp at which each message id was first seen committed.</summary>
    public IReadOnlyDictionary<Guid, long> Seen => _seen;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        long last = 0;
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            last = await PollAsync(connection, last, cancellationToken);
            try
            {
                await Task.Delay(Interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await PollAsync(connection, last, CancellationToken.None);
    }

    /// <summary>Rows in the table now (one query, for the final count).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM \"Demographics\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<long> PollAsync(DbConnection connection, long last, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\", \"MessageId\" FROM \"Demographics\" WHERE \"Id\" > @from";
        var from = command.CreateParameter();
        from.ParameterName = "@from";
        from.Value = Math.Max(0, last - Lookback);
        command.Parameters.Add(from);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var now = Stopwatch.GetTimestamp();
        var max = last;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            var message = reader.GetGuid(1);
            _seen.TryAdd(message, now);
            max = Math.Max(max, id);
        }

        return max;
    }
}
