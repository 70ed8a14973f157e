import { useState, type FormEvent } from 'react';
import { logIn, signUp } from '../../api/endpoints';
import { Link, navigate, useLocation } from '../../app/router';
import { ErrorNote, fieldErrorsOf } from '../../app/ui';

/** Only same-site paths are followed after logging in. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export function LoginPage() {
  return <AuthForm mode="login" />;
}

export function SignupPage() {
  return <AuthForm mode="signup" />;
}

function AuthForm({ mode }: { mode: 'login' | 'signup' }) {
  const { query } = useLocation();
  const next = safeNext(query.get('next'));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const isSignup = mode === 'signup';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (isSignup && !name.trim()) found.name = 'Enter your name.';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) found.email = 'Enter a valid email address.';
    if (isSignup ? password.length < 10 : !password) found.password = isSignup ? 'Use at least 10 characters.' : 'Enter your password.';
    setLocal(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      if (isSignup) await signUp({ name: name.trim(), email: email.trim(), password });
      else await logIn({ email: email.trim(), password });
      navigate(next, { replace: true });
    } catch (failure) {
      setError(failure);
      setLocal(fieldErrorsOf(failure));
      setBusy(false);
    }
  };

  const field = (id: string, label: string, value: string, set: (value: string) => void, type: string, autoComplete: string) => (
    <div className="field">
      <label htmlFor={`auth-${id}`}>{label}</label>
      <input
        id={`auth-${id}`}
        type={type}
        autoComplete={autoComplete}
        value={value}
        aria-invalid={local[id] ? true : undefined}
        aria-describedby={local[id] ? `auth-${id}-error` : undefined}
        onChange={(event) => set(event.target.value)}
      />
      {local[id] && (
        <p id={`auth-${id}-error`} className="field-error">
          {local[id]}
        </p>
      )}
    </div>
  );

  return (
    <div className="page narrow-page">
      <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="auth-title">
        <h1 id="auth-title">{isSignup ? 'Create your account' : 'Log in'}</h1>
        {isSignup && field('name', 'Name', name, setName, 'text', 'name')}
        {field('email', 'Email', email, setEmail, 'email', 'email')}
        {field('password', 'Password', password, setPassword, 'password', isSignup ? 'new-password' : 'current-password')}
        {isSignup && <p className="muted">At least 10 characters.</p>}
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Please wait…' : isSignup ? 'Sign up' : 'Log in'}
        </button>
        <p>
          {isSignup ? 'Already have an account? ' : 'New to AeroFly? '}
          <Link to={`/${isSignup ? 'login' : 'signup'}${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>
            {isSignup ? 'Log in' : 'Create an account'}
          </Link>
        </p>
      </form>
    </div>
  );
}
