namespace FogLens.EdgeAgent.Capture;

/// <summary>Opens the right source for a --source value: a folder, a camera index, a stream URL or a video file.</summary>
public static class FrameSources
{
    public static IFrameSource Open(string spec, bool loop, double folderFps = 0, TimeProvider? time = null) =>
        Directory.Exists(spec) ? new ImageFolderSource(spec, loop, folderFps, time) : VideoCaptureSource.Open(spec, loop, time);
}
