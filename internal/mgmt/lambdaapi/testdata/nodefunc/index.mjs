// lambdaapi test function for nodejs runtimes.
export const handler = async (event) => {
  if (event && event.action === 'error') throw new TypeError('node boom');
  if (event && event.httpMethod) {
    return { statusCode: 201, headers: { 'X-Fn': 'node' }, body: JSON.stringify({ path: event.path }) };
  }
  return { runtime: 'node', greeting: process.env.GREETING || null, event };
};
