namespace TaskScheduler.Scheduler.Http;

/// <summary>
/// The HTTP API's conventions: errors as RFC 9457 problem details (also for statuses no endpoint wrote, such as an
/// unknown route), and an OpenAPI document describing every endpoint at <c>/openapi/v1.json</c>.
/// </summary>
public static class ApiRegistration
{
    public const string OpenApiPath = "/openapi/v1.json";

    public static IHostApplicationBuilder AddSchedulerApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "TaskScheduler";
            document.Info.Description =
                "Submit, find, follow and operate tasks. Changes need an API key (X-Api-Key header) with the role the operation " +
                "names (submit or operate) when the scheduler has keys; reads need one with the role read only from other machines " +
                "when Api:AnonymousReads is off. Errors are problem details (RFC 9457).";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapSchedulerApi(this WebApplication app)
    {
        app.UseStatusCodePages();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapOpenApi(OpenApiPath);
        app.MapTaskEndpoints();
        app.MapAutoscaleEndpoints();
        app.MapScheduleEndpoints();
        app.MapPlacementEndpoints();
        return app;
    }
}
