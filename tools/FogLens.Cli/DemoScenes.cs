using OpenCvSharp;

namespace FogLens.Cli;

/// <summary>
/// Demo camera feeds as image folders built from photographs Debian ships (opencv-doc): faces cut from
/// messi5.jpg walk across background photos at different sizes and speeds, one person after another.
/// </summary>
internal static class DemoScenes
{
    private const string Samples = "/usr/share/doc/opencv-doc/examples/data";

    public static string Build(string folder, int seed)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.jpg").Any())
        {
            return folder;
        }

        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        using var messi = Cv2.ImRead(Path.Combine(Samples, "messi5.jpg"));
        if (messi.Empty())
        {
            throw new FileNotFoundException($"{Samples}/messi5.jpg is missing: run ./foglens setup (Debian package opencv-doc)");
        }

        string[] backgrounds = ["home.jpg", "building.jpg", "stuff.jpg", "aero1.jpg"];
        using var face = new Mat(messi, new Rect(195, 70, 90, 90));
        var index = 0;
        for (var person = 0; person < 4; person++)
        {
            using var backgroundImage = Cv2.ImRead(Path.Combine(Samples, backgrounds[(person + seed) % backgrounds.Length]));
            using var background = new Mat();
            Cv2.Resize(backgroundImage, background, new Size(640, 480), 0, 0, InterpolationFlags.Area);
            var side = rng.Next(140, 230);
            using var patch = new Mat();
            Cv2.Resize(face, patch, new Size(side, side), 0, 0, InterpolationFlags.Cubic);
            var y = rng.Next(20, 480 - side - 20);
            var steps = rng.Next(14, 22);
            for (var step = 0; step < steps + 10; step++)
            {
                using var frame = background.Clone();
                if (step < steps)
                {
                    var x = (int)((640 - side) * (step / (double)(steps - 1)));
                    patch.CopyTo(new Mat(frame, new Rect(x, y, side, side)));
                }

                Cv2.ImWrite(Path.Combine(folder, $"{index++:D5}.jpg"), frame);
            }
        }

        return folder;
    }
}
