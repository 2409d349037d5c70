using OpenCvSharp;

namespace FogLens.PipelineEval;

/// <summary>
/// A person's face as the camera sees it, prepared once per clip: the chip scaled to its frame size,
/// lit from one side, rolled, blurred along the walking direction, with a soft elliptical mask so the
/// background shows around the head (the chip's own corners are not pasted).
/// </summary>
internal sealed class PersonSprite : IDisposable
{
    private PersonSprite(Mat face, Mat mask)
    {
        Face = face;
        Mask = mask;
    }

    /// <summary>BGR, 8 bit, ChipSide².</summary>
    public Mat Face { get; }

    /// <summary>Float weights in [0, 1], ChipSide².</summary>
    public Mat Mask { get; }

    public static PersonSprite Create(PersonPlan person)
    {
        using var chip = Cv2.ImRead(person.Face.Path, ImreadModes.Color);
        if (chip.Empty())
        {
            throw new InvalidDataException($"{person.Face.Path} is not a readable image");
        }

        var side = person.ChipSide;
        var size = new Size(side, side);
        using var scaled = new Mat();
        Cv2.Resize(chip, scaled, size, 0, 0, side < chip.Width ? InterpolationFlags.Area : InterpolationFlags.Linear);

        using var lit = new Mat();
        if (person.SideLight < 1)
        {
            using var ramp = new Mat(1, side, MatType.CV_32FC3);
            for (var x = 0; x < side; x++)
            {
                var t = side == 1 ? 1 : x / (side - 1.0);
                var v = (float)(person.SideLight + ((1 - person.SideLight) * (person.SideLightFromLeft ? 1 - t : t)));
                ramp.Set(0, x, new Vec3f(v, v, v));
            }

            using var rampImage = new Mat();
            Cv2.Repeat(ramp, side, 1, rampImage);
            using var asFloat = new Mat();
            scaled.ConvertTo(asFloat, MatType.CV_32FC3);
            Cv2.Multiply(asFloat, rampImage, asFloat);
            asFloat.ConvertTo(lit, MatType.CV_8UC3);
        }
        else
        {
            scaled.CopyTo(lit);
        }

        using var mask = new Mat(size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Ellipse(mask, new Point(side / 2, side / 2), new Size((int)(0.5 * side), (int)(0.58 * side)), 0, 0, 360, Scalar.All(1), -1);

        var center = new Point2f((side - 1) / 2f, (side - 1) / 2f);
        using var rotation = Cv2.GetRotationMatrix2D(center, person.RollDegrees, 1.0);
        var face = new Mat();
        var rolledMask = new Mat();
        Cv2.WarpAffine(lit, face, rotation, size, InterpolationFlags.Linear, BorderTypes.Reflect101);
        Cv2.WarpAffine(mask, rolledMask, rotation, size, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));

        var blur = (int)Math.Round(Math.Abs(person.Step) * person.BlurFraction);
        if (blur >= 2)
        {
            using var kernel = new Mat(1, blur, MatType.CV_32FC1, Scalar.All(1.0 / blur));
            Cv2.Filter2D(face, face, -1, kernel, borderType: BorderTypes.Reflect101);
            Cv2.Filter2D(rolledMask, rolledMask, -1, kernel, borderType: BorderTypes.Constant);
        }

        var feather = Math.Max(1.0, side / 25.0);
        Cv2.GaussianBlur(rolledMask, rolledMask, new Size(0, 0), feather);
        return new PersonSprite(face, rolledMask);
    }

    public void Dispose()
    {
        Face.Dispose();
        Mask.Dispose();
    }
}
