import { Link, useLocation } from '../../app/router';
import { AirplanesPanel } from './AirplanesPanel';
import { AirportsPanel } from './AirportsPanel';
import { FlightsPanel } from './FlightsPanel';
import { InventoryPanel, NotificationsPanel } from './ChecksPanels';

const sections = [
  { path: 'flights', label: 'Flights', Panel: FlightsPanel },
  { path: 'airports', label: 'Airports', Panel: AirportsPanel },
  { path: 'airplanes', label: 'Airplanes', Panel: AirplanesPanel },
  { path: 'inventory', label: 'Inventory check', Panel: InventoryPanel },
  { path: 'notifications', label: 'Failed emails', Panel: NotificationsPanel },
] as const;

export function AdminPage() {
  const { path } = useLocation();
  const current = sections.find((section) => path === `/admin/${section.path}`) ?? sections[0];
  return (
    <div className="page admin-page">
      <h1>Admin</h1>
      <nav className="tabs" aria-label="Admin sections">
        {sections.map((section) => (
          <Link key={section.path} to={`/admin/${section.path}`} aria-current={section === current ? 'page' : undefined}>
            {section.label}
          </Link>
        ))}
      </nav>
      <current.Panel />
    </div>
  );
}
