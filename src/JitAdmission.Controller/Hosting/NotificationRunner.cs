using JitAdmission.Controller.Notifications;

namespace JitAdmission.Controller.Hosting;

/// <summary>Delivers queued notifications for the life of the process (also after a term ends: they were announced).</summary>
internal sealed class NotificationRunner(NotificationSender sender) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => sender.RunAsync(stoppingToken);
}
