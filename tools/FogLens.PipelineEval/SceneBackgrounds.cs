using OpenCvSharp;

namespace FogLens.PipelineEval;

/// <summary>
/// Real backgrounds for the scenes, from Debian's opencv-doc samples (as the demo and the detector bench
/// use them): still photos, and consecutive frames of vtest.avi (people walking in a hall), all scaled
/// to 640x480. Owns the images.
/// </summary>
public sealed class SceneBackgrounds : IDisposable
{
    public const string SamplesFolder = "/usr/share/doc/opencv-doc/examples/data";

    private static readonly string[] PhotoNames = ["building.jpg", "home.jpg", "stuff.jpg", "board.jpg", "aero1.jpg", "fruits.jpg", "graf1.png", "left01.jpg", "box_in_scene.png"];

    private SceneBackgrounds(List<Mat> photos, List<Mat> video)
    {
        Photos = photos;
        VideoFrames = video;
    }

    public IReadOnlyList<Mat> Photos { get; }

    public IReadOnlyList<Mat> VideoFrames { get; }

    /// <summary>Loads the photos that exist and up to <paramref name="videoFrames"/> frames of vtest.avi.</summary>
    public static SceneBackgrounds Load(string samplesFolder, int videoFrames)
    {
        var size = new Size(ScenePlanner.FrameWidth, ScenePlanner.FrameHeight);
        var photos = new List<Mat>();
        foreach (var name in PhotoNames)
        {
            using var image = Cv2.ImRead(Path.Combine(samplesFolder, name), ImreadModes.Color);
            if (!image.Empty())
            {
                photos.Add(Scaled(image, size));
            }
        }

        if (photos.Count == 0)
        {
            throw new FileNotFoundException($"no background photos in {samplesFolder}: run ./foglens setup (Debian package opencv-doc)");
        }

        var video = new List<Mat>();
        var videoPath = Path.Combine(samplesFolder, "vtest.avi");
        if (File.Exists(videoPath))
        {
            using var capture = new VideoCapture(videoPath);
            using var frame = new Mat();
            while (video.Count < videoFrames && capture.Read(frame) && !frame.Empty())
            {
                video.Add(Scaled(frame, size));
            }
        }

        return new SceneBackgrounds(photos, video);
    }

    public void Dispose()
    {
        foreach (var m in Photos.Concat(VideoFrames))
        {
            m.Dispose();
        }
    }

    private static Mat Scaled(Mat image, Size size)
    {
        var scaled = new Mat();
        Cv2.Resize(image, scaled, size, 0, 0, InterpolationFlags.Area);
        return scaled;
    }
}
