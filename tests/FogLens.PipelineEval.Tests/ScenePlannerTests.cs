using FogLens.AgeModel.Data;
using FogLens.Contracts.Imaging;
using FogLens.PipelineEval;

namespace FogLens.PipelineEval.Tests;

public sealed class ScenePlannerTests
{
    private static readonly FaceSample[] Faces =
        [.. Enumerable.Range(0, 9).Select(i => new FaceSample($"/nowhere/{20 + i}_0_0_2017.jpg.chip.jpg", new UtkFaceLabel(20 + i, 0, 0)))];

    [Fact]
    public void Plan_SameSeed_SamePlan()
    {
        var a = ScenePlanner.Plan(Faces, [24, 96], 3, 5, 100);
        var b = ScenePlanner.Plan(Faces, [24, 96], 3, 5, 100);
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i] with { People = [] }, b[i] with { People = [] });
            Assert.Equal(a[i].People, b[i].People);
        }
    }

    [Fact]
    public void Plan_EveryFaceWalksOnceAtEverySize_InsideTheFrame()
    {
        int[] sizes = [24, 32, 48, 64, 96, 160];
        var clips = ScenePlanner.Plan(Faces, sizes, 7, 5, 100);
        foreach (var size in sizes)
        {
            var people = clips.Where(c => c.Size == size).SelectMany(c => c.People).ToList();
            Assert.Equal(Faces.Select(f => f.Path).Order(), people.Select(p => p.Face.Path).Order());
        }

        foreach (var clip in clips)
        {
            Assert.InRange(clip.JpegQuality, 30, 90);
            foreach (var p in clip.People)
            {
                Assert.InRange(p.RollDegrees, -15, 15);
                for (var f = p.EnterFrame; f < p.EnterFrame + p.VisibleFrames; f++)
                {
                    Assert.True(p.X(f) >= 0 && p.X(f) + p.ChipSide <= ScenePlanner.FrameWidth, $"person {p.Id} leaves the frame at {f}");
                    Assert.True(p.Y >= 0 && p.Y + p.ChipSide <= ScenePlanner.FrameHeight);
                }

                Assert.True(p.EnterFrame + p.VisibleFrames <= clip.Frames);
            }
        }
    }

    [Fact]
    public void FaceBox_OfAChip_IsTheBoxTheCropGeometryFramesBackToTheChip()
    {
        // The production framing is the chips' framing: expanding the true box of a pasted chip gives the chip back.
        var (x, y, side) = ChipGeometry.FaceBox(100, 50, 107);
        var (cx, cy, cw, ch) = FaceCropGeometry.Expand(x, y, side, side, 640, 480);
        Assert.InRange(cw, 104, 110);
        Assert.InRange(ch, 104, 110);
        Assert.InRange(cx, 98, 102);
        Assert.InRange(cy, 48, 52);
    }
}
