import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createApiKey, createOrg } from '../../src/iam.js';

export const databaseUrl = inject('databaseUrl');
export const baseUrl = inject('baseUrl');

/** Owner connection: bypasses row-level security, as analysts' DBAs would. */
export const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One HTTP request to the gateway; the body is parsed when it is JSON. */
export async function request<T = any>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + path, { method, headers, body });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: (isJson && text ? JSON.parse(text) : text) as T,
  };
}

export interface Tenant {
  orgId: string;
  key: string;
  keyId: string;
  get<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

/** A fresh org with one API key, and request helpers that use the key. */
export async function newTenant(): Promise<Tenant> {
  const org = await createOrg(sql, `test ${randomUUID()}`);
  const apiKey = await createApiKey(sql, org.id, 'test');
  const key = apiKey.key;
  return {
    orgId: org.id,
    key,
    keyId: apiKey.id,
    get: (path, options) => request('GET', path, { key, ...options }),
    post: (path, body, options) => request('POST', path, { key, body, ...options }),
    put: (path, body, options) => request('PUT', path, { key, body, ...options }),
    patch: (path, body, options) => request('PATCH', path, { key, body, ...options }),
    delete: (path, options) => request('DELETE', path, { key, ...options }),
  };
}
