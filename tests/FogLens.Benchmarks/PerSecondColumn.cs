using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FogLens.Benchmarks;

/// <summary>A rate column: the value of an integer benchmark parameter divided by the mean time, scaled.</summary>
/// <param name="columnName">Header, e.g. "faces/s".</param>
/// <param name="parameter">Benchmark parameter holding the work per operation, e.g. "Batch".</param>
/// <param name="scale">Divisor applied to the rate (1e6 for millions).</param>
internal sealed class PerSecondColumn(string columnName, string parameter, double scale) : IColumn
{
    public string Id => "PerSecond." + parameter;

    public string ColumnName => columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"{parameter} / mean time{(scale == 1 ? string.Empty : $" / {scale:G}")}";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null)
        {
            return "-";
        }

        var work = Convert.ToDouble(benchmarkCase.Parameters[parameter], CultureInfo.InvariantCulture);
        return (work / (stats.Mean / 1e9) / scale).ToString("F0", CultureInfo.InvariantCulture);
    }
}
