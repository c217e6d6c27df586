// The part of autocannon 9's programmatic API that bench/http.ts uses (the package ships no types).
declare module 'autocannon' {
  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    setupRequest?: (request: Request) => Request
  }
  export interface Options {
    url: string
    method?: string
    connections?: number
    duration?: number
    pipelining?: number
    headers?: Record<string, string>
    body?: string | Buffer
    requests?: Request[]
  }
  export interface Histogram { average: number, mean: number, stddev: number, min: number, max: number, p50: number, p90: number, p99: number, total: number }
  export interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    non2xx: number
    duration: number
    '2xx': number
  }
  function autocannon (options: Options): Promise<Result>
  export default autocannon
}
