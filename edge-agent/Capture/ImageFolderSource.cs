using FogLens.Contracts.Messages;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Capture;

/// <summary>Frames from the images of a folder in ordinal name order (tests, demos). Corrupt files are reported and skipped.</summary>
public sealed class ImageFolderSource : IFrameSource
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp" };
    private readonly string[] _files;
    private readonly bool _loop;
    private readonly TimeProvider _time;
    private int _next;
    private long _index;

    public ImageFolderSource(string folder, bool loop = false, double fps = 0, TimeProvider? time = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new FrameSourceException($"image folder '{folder}' does not exist", SourceState.Missing);
        }

        _files = [.. Directory.EnumerateFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal)];
        if (_files.Length == 0)
        {
            throw new FrameSourceException($"image folder '{folder}' has no .jpg/.png/.bmp/.webp files", SourceState.Unreadable);
        }

        _loop = loop;
        _time = time ?? TimeProvider.System;
        Fps = fps;
        Description = "folder:" + folder;
    }

    public string Description { get; }

    public double Fps { get; }

    public bool IsLive => false;

    public Frame? Read(Action<string> onProblem)
    {
        ArgumentNullException.ThrowIfNull(onProblem);
        for (var attempts = 0; attempts < _files.Length; attempts++)
        {
            if (_next >= _files.Length)
            {
                if (!_loop)
                {
                    return null;
                }

                _next = 0;
            }

            var file = _files[_next++];
            Mat? image = null;
            try
            {
                image = Cv2.ImRead(file, ImreadModes.Color);
            }
            catch (OpenCVException ex)
            {
                onProblem($"{file}: {ex.Message}");
            }

            if (image is null || image.Empty())
            {
                image?.Dispose();
                onProblem($"{Path.GetFileName(file)} is not a readable image; skipped");
                continue;
            }

            return new Frame(image, _index++, _time.GetUtcNow());
        }

        return _index == 0 ? throw new FrameSourceException($"{Description} has no readable image", SourceState.Unreadable) : null;
    }

    public void Dispose()
    {
    }
}
