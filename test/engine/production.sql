-- A database in the state of production-schema.md, with the drift it lists and rows
-- in every table, including rows that break the same-tenant keys the model declares.
create table public.customers (
  id uuid primary key default gen_random_uuid(),
  email varchar(255) not null unique,
  company_name varchar(255) not null,
  industry varchar(100), company_size varchar(50),
  created_at timestamptz default now(),
  subscription_tier varchar(50) default 'free',
  subscription_status varchar(50) default 'active'
);
create table public.virtual_employees (
  id uuid primary key default gen_random_uuid(),
  name varchar(255) not null, role varchar(255) not null, department varchar(255) not null,
  seniority_level varchar(50) check (seniority_level in ('junior', 'senior', 'manager')),
  description text, capabilities jsonb, tools jsonb,
  pricing_monthly numeric(10,2) not null,
  status varchar(50) default 'stable' check (status in ('stable', 'beta', 'experimental')),
  created_at timestamptz default now(), updated_at timestamptz default now(),
  source varchar(100) default 'internal', source_id varchar(255),
  token_billing_model varchar(50) default 'customer_pays',
  estimated_usage varchar(50) default 'medium' check (estimated_usage in ('light', 'medium', 'heavy')),
  tags text[] default '{}', category varchar(100) default 'general', featured boolean default false,
  icon_url varchar(500), screenshots text[] default '{}', marketing_description text,
  last_synced_at timestamp, sync_status varchar(50),
  namespace varchar(255), kagent_namespace varchar(255), kagent_version varchar(50), token_billing varchar(50)
);
create table public.customer_ves (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers(id) on delete cascade,
  marketplace_agent_id uuid not null references public.virtual_employees(id) on delete cascade,
  agent_name varchar(255), agent_namespace varchar(255),
  persona_name varchar(255) not null, persona_email varchar(255), agent_gateway_route_id varchar(255),
  hired_at timestamp not null default now(),
  status varchar(50) default 'active', agent_type text, agent_gateway_route text,
  created_at timestamp default now(), updated_at timestamp default now(),
  unique (customer_id, marketplace_agent_id)
);
create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers(id) on delete cascade,
  title varchar(255) not null, description text,
  status varchar(50) default 'pending' check (status in ('pending', 'in_progress', 'completed', 'failed')),
  priority varchar(50) default 'medium' check (priority in ('low', 'medium', 'high', 'urgent')),
  assigned_to_ve uuid references public.customer_ves(id) on delete set null,
  created_at timestamptz default now(), updated_at timestamptz default now(),
  due_date timestamptz, completed_at timestamptz, metadata jsonb default '{}',
  parent_task_id uuid references public.tasks(id) on delete cascade, thread_id uuid
);
create table public.messages (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers(id) on delete cascade,
  customer_ve_id uuid references public.customer_ves(id) on delete cascade,
  from_type varchar(50) not null check (from_type in ('customer', 've', 'system')),
  from_ve_id uuid references public.customer_ves(id) on delete set null,
  to_ve_id uuid references public.customer_ves(id) on delete set null,
  subject varchar(255), content text not null, thread_id uuid,
  replied_to_id uuid references public.messages(id) on delete set null,
  read boolean default false, created_at timestamptz default now(), metadata jsonb default '{}',
  message_type text default 'email'
);
create table public.token_usage (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers(id) on delete cascade,
  ve_id uuid references public.customer_ves(id) on delete set null,
  operation varchar(255) not null, input_tokens integer not null, output_tokens integer not null, total_tokens integer not null,
  cost numeric(10,4) not null, model varchar(100), "timestamp" timestamptz default now()
);
create table public.ve_connections (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references public.customers(id) on delete cascade,
  from_ve_id uuid not null, to_ve_id uuid not null,
  connection_type varchar(50) check (connection_type in ('vertical', 'horizontal')),
  created_at timestamptz default now()
);
create table public.agent_memory (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null, agent_name text not null, content text not null,
  metadata jsonb default '{}', type text default 'conversation', session_id text,
  "timestamp" timestamptz default now(), created_at timestamptz default now(), updated_at timestamptz default now()
);

create index idx_customer_ves_customer_id on public.customer_ves (customer_id);
create index idx_customer_ves_marketplace_agent_id on public.customer_ves (marketplace_agent_id);
create index idx_customer_ves_status on public.customer_ves (status);
create index idx_customer_ves_agent_type on public.customer_ves (agent_type, customer_id);
create index idx_tasks_customer_id on public.tasks (customer_id);
create index idx_tasks_assigned_to_ve on public.tasks (assigned_to_ve);
create index idx_tasks_status on public.tasks (status);
create index idx_tasks_created_at on public.tasks (created_at);
create index idx_messages_customer_id on public.messages (customer_id);
create index idx_messages_customer_ve_id on public.messages (customer_ve_id);
create index idx_messages_thread_id on public.messages (thread_id);
create index idx_messages_created_at on public.messages (created_at);
create index idx_messages_to_ve_id on public.messages (to_ve_id);
create index idx_token_usage_customer_id on public.token_usage (customer_id);
create index idx_token_usage_ve_id on public.token_usage (ve_id);
create index idx_token_usage_timestamp on public.token_usage ("timestamp");
create index idx_virtual_employees_department on public.virtual_employees (department);
create index idx_virtual_employees_seniority_level on public.virtual_employees (seniority_level);
create index idx_virtual_employees_status on public.virtual_employees (status);
create index idx_virtual_employees_source on public.virtual_employees (source);
create index idx_ve_category on public.virtual_employees (category);
create index idx_ve_featured on public.virtual_employees (featured) where featured = true;
create index idx_ve_tags on public.virtual_employees using gin (tags);
create index idx_ve_status_dup on public.virtual_employees (status);

alter table public.customer_ves enable row level security;
alter table public.tasks enable row level security;
alter table public.messages enable row level security;
alter table public.token_usage enable row level security;
alter table public.agent_memory enable row level security;
create policy customer_ves_select on public.customer_ves for select using (auth.uid() = customer_id);
create policy customer_ves_insert on public.customer_ves for insert with check (auth.uid() = customer_id);
create policy customer_ves_update on public.customer_ves for update using (auth.uid() = customer_id);
create policy customer_ves_delete on public.customer_ves for delete using (auth.uid() = customer_id);
create policy "Users can view their own tasks" on public.tasks for select using (auth.uid() = customer_id);
create policy tasks_insert on public.tasks for insert with check (auth.uid() = customer_id);
create policy tasks_update on public.tasks for update using (auth.uid() = customer_id);
create policy messages_select on public.messages for select using (auth.uid() = customer_id);
create policy messages_insert on public.messages for insert with check (auth.uid() = customer_id);
create policy token_usage_select on public.token_usage for select using (auth.uid() = customer_id);
create policy agent_memory_all on public.agent_memory using (customer_id = nullif(current_setting('app.current_customer_id', true), '')::uuid);

create function public.set_customer_context(p_customer_id uuid) returns void language plpgsql security definer as $$
begin
  perform set_config('app.current_customer_id', p_customer_id::text, false);
end $$;

-- Supabase grants the API roles everything on public tables by default.
grant all on all tables in schema public to anon, authenticated, service_role;

-- Rows. Customer A and B; one of B's tasks is assigned to A's agent (cross-tenant),
-- and one connection points at an agent that no longer exists (dangling).
set session timezone = 'America/New_York';
insert into public.customers (id, email, company_name) values
  ('aaaaaaaa-0000-0000-0000-000000000000', 'a@example.com', 'A Corp'),
  ('bbbbbbbb-0000-0000-0000-000000000000', 'b@example.com', 'B Corp');
insert into public.virtual_employees (id, name, role, department, pricing_monthly, status, last_synced_at, namespace, kagent_version, token_billing, estimated_usage) values
  ('eeeeeeee-0000-0000-0000-000000000001', 'Mia', 'Marketing manager', 'marketing', 99.00, 'stable', '2025-11-27 10:00:00', 'agents', 'v0.7', 'included', 'light'),
  ('eeeeeeee-0000-0000-0000-000000000002', 'Sam', 'Sales rep', 'sales', 49.00, 'experimental', null, null, null, null, 'heavy');
insert into public.customer_ves (id, customer_id, marketplace_agent_id, persona_name, hired_at, created_at) values
  ('cccccccc-0000-0000-0000-00000000000a', 'aaaaaaaa-0000-0000-0000-000000000000', 'eeeeeeee-0000-0000-0000-000000000001', 'Mia A', '2025-11-28 09:30:00', '2025-11-28 09:30:00'),
  ('cccccccc-0000-0000-0000-00000000000b', 'bbbbbbbb-0000-0000-0000-000000000000', 'eeeeeeee-0000-0000-0000-000000000001', 'Mia B', '2025-12-01 23:15:00', null);
insert into public.tasks (id, customer_id, title, assigned_to_ve) values
  ('dddddddd-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000000', 'A task', 'cccccccc-0000-0000-0000-00000000000a'),
  ('dddddddd-0000-0000-0000-000000000002', 'bbbbbbbb-0000-0000-0000-000000000000', 'B task on A''s agent', 'cccccccc-0000-0000-0000-00000000000a');
insert into public.messages (id, customer_id, customer_ve_id, from_type, content, message_type) values
  ('ffffffff-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000000', 'cccccccc-0000-0000-0000-00000000000a', 'customer', 'hello', 'chat');
insert into public.token_usage (customer_id, ve_id, operation, input_tokens, output_tokens, total_tokens, cost) values
  ('aaaaaaaa-0000-0000-0000-000000000000', 'cccccccc-0000-0000-0000-00000000000a', 'chat', 10, 20, 30, 0.0100);
insert into public.ve_connections (id, customer_id, from_ve_id, to_ve_id, connection_type) values
  ('99999999-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000000', 'cccccccc-0000-0000-0000-00000000000a', '12345678-0000-0000-0000-000000000000', 'vertical');
insert into public.agent_memory (customer_id, agent_name, content) values
  ('aaaaaaaa-0000-0000-0000-000000000000', 'mia', 'remember this');
reset timezone;
