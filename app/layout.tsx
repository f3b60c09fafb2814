import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SiteHeader } from './components/site-header';
import { VerificationBanner } from './components/verification-banner';
import './globals.css';

export const metadata: Metadata = {
  title: 'Chirpy',
  description: 'Short posts, and token authentication done right.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SiteHeader />
        <main>
          <VerificationBanner />
          {children}
        </main>
      </body>
    </html>
  );
}
