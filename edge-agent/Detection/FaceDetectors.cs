using FogLens.EdgeAgent.Common;
namespace FogLens.EdgeAgent.Detection;

/// <summary>Creates the configured detector; falls back to the Haar cascade when BlazeFace cannot be loaded.</summary>
public static partial class FaceDetectors
{
    public static IFaceDetector Create(EdgeAgentOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Detector == "haar")
        {
            return new HaarFaceDetector();
        }

        var root = ModelsRoot(options);
        var model = options.Detector == "blazeface-back" ? BlazeFaceModel.Back : BlazeFaceModel.Front;
        var path = BlazeFaceDetector.DefaultPath(root, model);
        try
        {
            var blazeFace = new BlazeFaceDetector(path, (float)options.ScoreThreshold);
            if (options.Detector != "blazeface-cascade")
            {
                return blazeFace;
            }

            path = BlazeFaceDetector.DefaultPath(root, BlazeFaceModel.Back);
            try
            {
                return new CascadeFaceDetector(blazeFace, new BlazeFaceDetector(path, (float)options.ScoreThreshold), options.TileScale, (float)options.TrackedScoreThreshold);
            }
            catch
            {
                blazeFace.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            LogFallback(logger, path, ex.Message);
            return new HaarFaceDetector();
        }
    }

    /// <summary>The folder that contains models/ (configured, the repository above the binary, or the binary's folder).</summary>
    private static string ModelsRoot(EdgeAgentOptions options)
    {
        if (!string.IsNullOrEmpty(options.ModelsDirectory))
        {
            return Path.GetDirectoryName(Path.GetFullPath(options.ModelsDirectory).TrimEnd('/')) ?? ".";
        }

        return RepositoryRoot.Find();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "BlazeFace unavailable at {Path} ({Reason}); falling back to the Haar cascade")]
    private static partial void LogFallback(ILogger logger, string path, string reason);
}
