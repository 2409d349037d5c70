namespace FogLens.EdgeAgent.Detection;

/// <summary>The two BlazeFace variants shipped in models/blazeface/ (see its model card).</summary>
public enum BlazeFaceModel
{
    /// <summary>128x128 short-range model (faces within about 2 m).</summary>
    Front,

    /// <summary>256x256 full-range model (farther, smaller faces).</summary>
    Back,
}
