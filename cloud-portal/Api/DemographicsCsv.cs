using System.Globalization;
using System.Text;
using FogLens.CloudPortal.Data;

namespace FogLens.CloudPortal.Api;

/// <summary>
/// The demographics export: RFC 4180 CSV (cells with a comma, quote or line break are quoted, quotes
/// doubled), with every text cell that a spreadsheet would run as a formula (starting with '=', '+', '-',
/// '@', tab or carriage return) prefixed with a single quote. Written row by row to the response, so an
/// export of any size never sits whole in memory.
/// </summary>
public static class DemographicsCsv
{
    public const string Header = "window_start,window_end,fog,edge,camera,faces,mean_age,model_version";

    public static async Task WriteAsync(Stream output, IReadOnlyList<string> labels, IAsyncEnumerable<DemographicsWindow> windows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(windows);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        var line = new StringBuilder(Header);
        foreach (var label in labels)
        {
            line.Append(',').Append(Cell("age_" + label));
        }

        await writer.WriteLineAsync(line, cancellationToken);
        await foreach (var w in windows.WithCancellation(cancellationToken))
        {
            line.Clear();
            line.Append(w.WindowStart.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(w.WindowEnd.ToString("O", CultureInfo.InvariantCulture)).Append(',')
                .Append(Cell(w.FogId)).Append(',').Append(Cell(w.EdgeId)).Append(',').Append(Cell(w.CameraId)).Append(',')
                .Append(w.Faces.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(w.MeanAge?.ToString("F2", CultureInfo.InvariantCulture)).Append(',')
                .Append(Cell(w.ModelVersion));
            foreach (var label in labels)
            {
                var count = 0;
                foreach (var g in w.Groups)
                {
                    count += g.Label == label ? g.Count : 0;
                }

                line.Append(',').Append(count.ToString(CultureInfo.InvariantCulture));
            }

            await writer.WriteLineAsync(line, cancellationToken);
        }
    }

    /// <summary>One text cell, neutralised against formula injection and quoted per RFC 4180 when needed.</summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
