using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FogLens.Benchmarks;

/// <summary>Faces per second = Batch / mean time.</summary>
internal sealed class FacesPerSecondColumn : IColumn
{
    public string Id => "FacesPerSecond";

    public string ColumnName => "faces/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Faces processed per second (Batch / mean)";

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

        var batch = (int)benchmarkCase.Parameters["Batch"];
        return (batch / (stats.Mean / 1e9)).ToString("F0", CultureInfo.InvariantCulture);
    }
}
