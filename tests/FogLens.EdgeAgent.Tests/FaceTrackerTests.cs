using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Tracking;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

public sealed class FaceTrackerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Mat _frame = new(480, 640, MatType.CV_8UC3);
    private readonly TrackerOptions _options = new() { MinHits = 3, MaxMisses = 5, MaxAge = TimeSpan.FromSeconds(30) };

    public FaceTrackerTests() => Cv2.Randu(_frame, new Scalar(0, 0, 0), new Scalar(256, 256, 256));

    [Fact]
    public void OnePersonWalkingThrough_YieldsOneTrackPublishedOnce()
    {
        using var tracker = new FaceTracker(_options);
        var published = new List<FinishedTrack>();
        for (var i = 0; i < 40; i++)
        {
            var detections = i < 30 ? new[] { Face(50 + (i * 15), 200 + (i % 3), 60) } : [];
            published.AddRange(tracker.Update(detections, _frame, Start.AddMilliseconds(i * 100)));
        }

        var track = Assert.Single(published);
        Assert.Equal(1, tracker.TracksStarted);
        Assert.Equal(30, track.Hits);
        Assert.NotEmpty(track.Jpeg);
        Assert.Equal(Start, track.FirstSeen);
        Assert.Equal(Start.AddMilliseconds(29 * 100), track.LastSeen);
        Assert.Equal(0, tracker.ActiveTracks);
    }

    [Fact]
    public void TwoPeople_YieldTwoTracks()
    {
        using var tracker = new FaceTracker(_options);
        var published = new List<FinishedTrack>();
        for (var i = 0; i < 35; i++)
        {
            var detections = i < 25 ? new[] { Face(40 + (i * 12), 100, 50), Face(560 - (i * 12), 300, 70) } : [];
            published.AddRange(tracker.Update(detections, _frame, Start.AddMilliseconds(i * 100)));
        }

        Assert.Equal(2, published.Count);
        Assert.Equal(2, tracker.TracksStarted);
        Assert.All(published, t => Assert.Equal(25, t.Hits));
    }

    [Fact]
    public void OneFrameFalsePositive_IsNotPublished()
    {
        using var tracker = new FaceTracker(_options);
        var published = new List<FinishedTrack>();
        published.AddRange(tracker.Update([Face(300, 200, 40)], _frame, Start));
        for (var i = 1; i < 10; i++)
        {
            published.AddRange(tracker.Update([], _frame, Start.AddMilliseconds(i * 100)));
        }

        Assert.Empty(published);
    }

    [Fact]
    public void PersonStayingLongerThanMaxAge_IsPublishedOnceAtMaxAge()
    {
        var options = new TrackerOptions { MinHits = 3, MaxMisses = 5, MaxAge = TimeSpan.FromSeconds(2) };
        using var tracker = new FaceTracker(options);
        var publishedAt = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            var detections = i < 50 ? new[] { Face(300, 200, 80) } : [];
            if (tracker.Update(detections, _frame, Start.AddMilliseconds(i * 100)).Count > 0)
            {
                publishedAt.Add(i);
            }
        }

        Assert.Equal([20], publishedAt);
    }

    [Fact]
    public void Flush_PublishesLiveTracks()
    {
        using var tracker = new FaceTracker(_options);
        for (var i = 0; i < 5; i++)
        {
            tracker.Update([Face(100 + i, 100, 60)], _frame, Start.AddMilliseconds(i * 100));
        }

        Assert.Single(tracker.Flush(640, 480));
        Assert.Equal(0, tracker.ActiveTracks);
    }

    [Fact]
    public void BestCrop_IsTheSharpestLargestConfidentOne()
    {
        using var tracker = new FaceTracker(_options);
        using var blurred = new Mat();
        Cv2.GaussianBlur(_frame, blurred, new Size(15, 15), 5);
        tracker.Update([Face(200, 200, 60, 0.9f)], blurred, Start);
        tracker.Update([Face(205, 200, 60, 0.95f)], _frame, Start.AddMilliseconds(100));
        tracker.Update([Face(210, 200, 60, 0.9f)], blurred, Start.AddMilliseconds(200));
        var track = Assert.Single(tracker.Flush(640, 480));
        Assert.Equal(Start.AddMilliseconds(100), track.BestAt);
    }

    public void Dispose() => _frame.Dispose();

    private static FaceDetection Face(float x, float y, float size, float score = 0.9f) => new(x, y, size, size, score);
}
