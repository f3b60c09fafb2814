import { NextResponse } from 'next/server';

/** Every error body in Chirpy is `{"error": "..."}`. */
export function errorResponse(status: number, message: string): NextResponse {
  return NextResponse.json({ error: message }, { status });
}

export function badInputResponse(input: { status: number; error: string }): NextResponse {
  return errorResponse(input.status, input.error);
}

export function jsonResponse(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status });
}

export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204 });
}
