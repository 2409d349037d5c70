namespace FogLens.Launch;

/// <summary>A tier of the site could not start.</summary>
public sealed class SiteException(string message) : Exception(message);
