using System.Globalization;
using FogLens.Contracts.Messages;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Capture;

/// <summary>
/// A video file, RTSP/HTTP stream or USB camera through OpenCV's VideoCapture (FFmpeg backend).
/// Files may loop. A failed read of a live source throws, so the caller can reopen with back-off.
/// </summary>
public sealed class VideoCaptureSource : IFrameSource
{
    private readonly VideoCapture _capture;
    private readonly bool _loop;
    private readonly TimeProvider _time;
    private long _index;

    private VideoCaptureSource(VideoCapture capture, string description, bool live, bool loop, TimeProvider? time)
    {
        _capture = capture;
        Description = description;
        IsLive = live;
        _loop = loop && !live;
        _time = time ?? TimeProvider.System;
        var fps = capture.Fps;
        Fps = double.IsFinite(fps) && fps is > 0 and < 1000 ? fps : 0;
    }

    public string Description { get; }

    public double Fps { get; }

    public bool IsLive { get; }

    /// <summary>Opens "0" (camera index), "rtsp://..", "http(s)://..", or a file path.</summary>
    public static VideoCaptureSource Open(string spec, bool loop = false, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        VideoCapture capture;
        string description;
        bool live;
        if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            capture = new VideoCapture(index);
            description = $"camera:{index}";
            live = true;
        }
        else if (Uri.TryCreate(spec, UriKind.Absolute, out var uri) && uri.Scheme is "rtsp" or "rtsps" or "http" or "https" or "rtmp" or "udp" or "tcp")
        {
            capture = new VideoCapture(spec, VideoCaptureAPIs.FFMPEG);
            description = $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture))}{uri.AbsolutePath}";
            live = true;
        }
        else
        {
            if (!File.Exists(spec))
            {
                throw new FrameSourceException($"video file '{spec}' does not exist", SourceState.Missing);
            }

            capture = new VideoCapture(spec, VideoCaptureAPIs.FFMPEG);
            description = "file:" + spec;
            live = false;
        }

        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw live
                ? new FrameSourceException($"cannot open {description} (camera absent or stream unreachable)", SourceState.Reconnecting)
                : new FrameSourceException($"cannot open {description}: not a readable video file", SourceState.Unreadable);
        }

        return new VideoCaptureSource(capture, description, live, loop, time);
    }

    public Frame? Read(Action<string> onProblem)
    {
        var image = new Mat();
        if (_capture.Read(image) && !image.Empty())
        {
            return new Frame(image, _index++, _time.GetUtcNow());
        }

        image.Dispose();
        if (IsLive)
        {
            throw new FrameSourceException($"{Description} stopped delivering frames", SourceState.Reconnecting);
        }

        if (_index == 0)
        {
            throw new FrameSourceException($"{Description} has no decodable frames (corrupt or not a video)", SourceState.Unreadable);
        }

        if (!_loop)
        {
            return null;
        }

        _capture.Set(VideoCaptureProperties.PosFrames, 0);
        var again = new Mat();
        if (_capture.Read(again) && !again.Empty())
        {
            return new Frame(again, _index++, _time.GetUtcNow());
        }

        again.Dispose();
        throw new FrameSourceException($"{Description} cannot be rewound for looping");
    }

    public void Dispose() => _capture.Dispose();
}
