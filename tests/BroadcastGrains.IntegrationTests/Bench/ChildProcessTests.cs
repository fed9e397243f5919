using System.Diagnostics;
using BroadcastGrains.Bench.Run;

namespace BroadcastGrains.IntegrationTests.Bench;

/// <summary>Keeps the bench's child processes (over the shared <see cref="DotnetProcess"/>) working: start, ready, log, stop.</summary>
public sealed class ChildProcessTests
{
    [Fact]
    public async Task The_baseline_starts_as_a_child_answers_and_is_gone_after_dispose()
    {
        var logs = Directory.CreateTempSubdirectory("broadcastgrains-bench-logs-").FullName;
        try
        {
            var launcher = new TargetLauncher(logs, logs, "child-admin", "child-ingest", new Dictionary<string, string>());
            int pid;
            string logPath;
            await using (var child = await launcher.StartAsync(TargetKind.Baseline, "baseline", postgres: null, extra: null, CancellationToken.None))
            {
                pid = child.Pid;
                logPath = child.LogPath;
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                using var ready = await http.GetAsync(new Uri(child.BaseAddress, "/readyz"));
                Assert.Equal(200, (int)ready.StatusCode);
                Assert.False(child.HasExited);
            }

            Assert.Contains("baseline listening on", await File.ReadAllTextAsync(logPath));
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }
}
