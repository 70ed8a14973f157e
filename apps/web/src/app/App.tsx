import { useEffect, useState } from 'react';
import { hasDevMailbox, logOut } from '../api/endpoints';
import { AdminPage } from '../features/admin/AdminPage';
import { LoginPage, SignupPage } from '../features/account/AuthPages';
import { BookingPage } from '../features/booking/BookingPage';
import { BookPage } from '../features/booking/BookPage';
import { SearchPage } from '../features/search/SearchPage';
import { TripsPage } from '../features/trips/TripsPage';
import { Link, match, navigate, useLocation } from './router';
import { useSession } from './session-hooks';

export function App() {
  const { path, href } = useLocation();
  const session = useSession();
  const [mailbox, setMailbox] = useState(false);

  useEffect(() => {
    void hasDevMailbox().then(setMailbox);
  }, []);

  // Pages that need an account send the traveller to log in and back here afterwards.
  const needsUser = path === '/trips' || path.startsWith('/bookings/') || path.startsWith('/admin');
  useEffect(() => {
    if (needsUser && !session) navigate(`/login?next=${encodeURIComponent(href)}`, { replace: true });
  }, [needsUser, session, href]);

  let page;
  let params: Record<string, string> | null;
  if (needsUser && !session) page = null;
  else if (path === '/') page = <SearchPage />;
  else if (path === '/book') page = <BookPage />;
  else if ((params = match('/bookings/:id', path))) page = <BookingPage key={params.id} id={params.id ?? ''} />;
  else if (path === '/trips') page = <TripsPage />;
  else if (path === '/login') page = <LoginPage />;
  else if (path === '/signup') page = <SignupPage />;
  else if (path === '/admin' || path.startsWith('/admin/'))
    page =
      session?.user.role === 'admin' ? (
        <AdminPage />
      ) : (
        <p className="page error" role="alert">
          This area is for administrators.
        </p>
      );
  else
    page = (
      <div className="page">
        <h1>Page not found</h1>
        <Link to="/">Search flights</Link>
      </div>
    );

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand" aria-label="AeroFly home">
          ✈ AeroFly
        </Link>
        <nav aria-label="Main">
          <Link to="/">Search</Link>
          {session && <Link to="/trips">My trips</Link>}
          {session?.user.role === 'admin' && <Link to="/admin">Admin</Link>}
          {mailbox && (
            <a href="/dev/mailbox" target="_blank" rel="noreferrer">
              Mailbox
            </a>
          )}
          {session ? (
            <>
              <span className="who" title={session.user.email}>
                {session.user.name}
              </span>
              <button type="button" className="link" onClick={() => void logOut().finally(() => navigate('/'))}>
                Log out
              </button>
            </>
          ) : (
            <>
              <Link to={`/login${path === '/login' || path === '/signup' ? '' : `?next=${encodeURIComponent(href)}`}`}>Log in</Link>
              <Link to={`/signup${path === '/login' || path === '/signup' ? '' : `?next=${encodeURIComponent(href)}`}`} className="button">
                Sign up
              </Link>
            </>
          )}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <footer className="muted">AeroFly · open-source airline booking</footer>
    </>
  );
}
