using TaskScheduler.Worker.Handlers;

namespace TaskScheduler.Worker.Agent;

/// <summary>Creates the registered handler in a dependency-injection scope of its own for each attempt.</summary>
internal sealed class TaskHandlerActivator
{
    private readonly IServiceScopeFactory _scopes;
    private readonly Type _handlerType;

    public TaskHandlerActivator(IServiceScopeFactory scopes, Type handlerType)
    {
        if (!typeof(ITaskHandler).IsAssignableFrom(handlerType))
        {
            throw new ArgumentException($"{handlerType} does not implement {nameof(ITaskHandler)}", nameof(handlerType));
        }

        _scopes = scopes;
        _handlerType = handlerType;
    }

    public async Task<TaskResult> RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var handler = (ITaskHandler)scope.ServiceProvider.GetRequiredService(_handlerType);
        return await handler.RunAsync(context, cancellationToken) ?? throw new InvalidOperationException($"{_handlerType.Name} returned no TaskResult");
    }
}
