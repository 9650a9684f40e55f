using System.Globalization;
using GridQueue.Client;

namespace GridQueue.Cli.Output;

/// <summary>
/// The progress of a task being waited for, on stderr. On a terminal: one line redrawn in place with '\r'
/// (<c>tsk_… running    [██████░░░░░░░░░░░░░░]  30%</c>). Otherwise (a pipe, a file, CI): one plain line per change of
/// status or progress (<c>running 30%</c>), so logs stay readable. Reports may come from any thread.
/// </summary>
internal sealed class ProgressBar(TextWriter error, bool interactive) : IProgress<VideoTask>
{
    private const int Width = 20;

    private readonly Lock _lock = new();
    private VideoTaskStatus? _status;
    private int _progress = -1;
    private int _drawnLength;

    public void Report(VideoTask value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            if (value.Status == _status && value.Progress == _progress)
            {
                return;
            }

            _status = value.Status;
            _progress = value.Progress;
            var status = TaskPrinter.StatusName(value.Status);
            var percent = value.Progress.ToString(CultureInfo.InvariantCulture);
            if (interactive)
            {
                var filled = Math.Clamp(value.Progress, 0, 100) * Width / 100;
                var line = $"{value.TaskId} {status,-9} [{new string('█', filled)}{new string('░', Width - filled)}] {percent,3}%";
                error.Write($"\r{line}{new string(' ', Math.Max(0, _drawnLength - line.Length))}");
                _drawnLength = line.Length;
            }
            else
            {
                error.WriteLine($"{status} {percent}%");
            }

            error.Flush();
        }
    }

    /// <summary>Ends the redrawn line, so what follows starts on a line of its own.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (interactive && _drawnLength > 0)
            {
                error.WriteLine();
                _drawnLength = 0;
            }
        }
    }
}
