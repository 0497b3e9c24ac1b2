// Test function for the nodejs runtimes: an async ES module handler.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const handler = async (event, context) => {
  switch (event && event.action) {
    case 'error': {
      const e = new TypeError('boom');
      throw e;
    }
    case 'crash':
      process.exit(1);
      break;
    case 'sleep':
      await sleep(event.ms);
      break;
    case 'log':
      for (const l of event.lines) console.log(l);
      break;
  }
  return {
    runtime: 'node',
    pid: process.pid,
    requestId: context.awsRequestId,
    functionArn: context.invokedFunctionArn,
    functionName: context.functionName,
    memory: context.memoryLimitInMB,
    version: context.functionVersion,
    remainingMs: context.getRemainingTimeInMillis(),
    region: process.env.AWS_REGION,
    handler: process.env._HANDLER,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    logGroup: context.logGroupName,
    greeting: process.env.GREETING,
    trace: process.env._X_AMZN_TRACE_ID,
    event,
  };
};
