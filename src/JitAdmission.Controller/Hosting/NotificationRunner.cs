using JitAdmission.Controller.Notifications;

namespace JitAdmission.Controller.Hosting;

/// <summary>
/// Delivers queued notifications for the life of the process (also after a term ends: they were announced), and keeps
/// the requesters' handles current for the routes that address them.
/// </summary>
internal sealed class NotificationRunner(NotificationSender sender, RequesterHandleConfigMap handles) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(sender.RunAsync(stoppingToken), handles.RunAsync(stoppingToken));
}
