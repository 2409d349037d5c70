namespace FogLens.AgeModel.Data;

/// <summary>A labelled face image on disk.</summary>
public sealed record FaceSample(string Path, UtkFaceLabel Label)
{
    public string FileName => System.IO.Path.GetFileName(Path);
}
