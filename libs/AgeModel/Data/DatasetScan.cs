namespace FogLens.AgeModel.Data;

/// <summary>Result of scanning a labelled face folder: usable samples and the files skipped.</summary>
public sealed record DatasetScan(string Directory, IReadOnlyList<FaceSample> Samples, IReadOnlyList<DatasetIssue> Skipped)
{
    public string Summary =>
        $"{Samples.Count} labelled faces in {Directory}; {Skipped.Count} skipped"
        + (Skipped.Count == 0 ? string.Empty : ": " + string.Join("; ", Skipped.Take(5).Select(s => $"{s.FileName} ({s.Problem})"))
            + (Skipped.Count > 5 ? $"; and {Skipped.Count - 5} more" : string.Empty));
}
